-- When an article's status last changed (or it was created). A draft preview link is
-- bound to it, so that every status change ends the links made before, even when the
-- status later returns to what it was.
ALTER TABLE articles ADD COLUMN status_changed_at TIMESTAMP;
UPDATE articles SET status_changed_at = updated_at;
ALTER TABLE articles ALTER COLUMN status_changed_at SET NOT NULL;
