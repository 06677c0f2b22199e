-- Back to the statuses before 'spam': set-aside tips count as dismissed.
CREATE TABLE tips_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id BIGINT REFERENCES channels (id) ON DELETE SET NULL,
    content TEXT NOT NULL,
    contact TEXT,
    name TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'used', 'dismissed')),
    assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    client_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO tips_next (id, channel_id, content, contact, name, status, assignee_id, article_id,
                       client_hash, created_at, updated_at, version)
SELECT id, channel_id, content, contact, name, CASE status WHEN 'spam' THEN 'dismissed' ELSE status END, assignee_id, article_id,
       client_hash, created_at, updated_at, version
FROM tips;
DELETE FROM sqlite_sequence WHERE name = 'tips_next';
INSERT INTO sqlite_sequence (name, seq) SELECT 'tips_next', seq FROM sqlite_sequence WHERE name = 'tips';
DROP TABLE tips;
ALTER TABLE tips_next RENAME TO tips;
CREATE INDEX tips_status ON tips (status, created_at);
CREATE INDEX tips_assignee ON tips (assignee_id);
