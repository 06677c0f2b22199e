ALTER TABLE articles DROP COLUMN status_changed_at;
