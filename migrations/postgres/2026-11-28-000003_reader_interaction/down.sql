DROP TABLE comments;
DROP TABLE tips;
DROP TABLE tip_lines;
ALTER TABLE channels DROP COLUMN auto_approve_comments;
