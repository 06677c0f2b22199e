-- A tip the spam checks set aside is kept as 'spam' for review.
ALTER TABLE tips DROP CONSTRAINT tips_status_check;
ALTER TABLE tips ADD CONSTRAINT tips_status_check
    CHECK (status IN ('new', 'in_progress', 'used', 'dismissed', 'spam'));
