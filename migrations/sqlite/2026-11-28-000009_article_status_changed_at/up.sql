-- When an article's status last changed (or it was created). A draft preview link is
-- bound to it, so that every status change ends the links made before, even when the
-- status later returns to what it was.
ALTER TABLE articles ADD COLUMN status_changed_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE articles SET status_changed_at = updated_at;
