UPDATE tips SET status = 'dismissed' WHERE status = 'spam';
ALTER TABLE tips DROP CONSTRAINT tips_status_check;
ALTER TABLE tips ADD CONSTRAINT tips_status_check
    CHECK (status IN ('new', 'in_progress', 'used', 'dismissed'));
