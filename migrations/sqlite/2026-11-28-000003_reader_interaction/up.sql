ALTER TABLE channels ADD COLUMN auto_approve_comments BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE tip_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('hotline', 'qq', 'sms', 'wechat', 'email', 'web')),
    label TEXT NOT NULL,
    value TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tip_lines_channel ON tip_lines (channel_id, position);

CREATE TABLE tips (
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
CREATE INDEX tips_status ON tips (status, created_at);
CREATE INDEX tips_assignee ON tips (assignee_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    depth INTEGER NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
    client_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX comments_article ON comments (article_id, status, created_at);
CREATE INDEX comments_status ON comments (status, created_at);
CREATE INDEX comments_client ON comments (client_hash, article_id, created_at);
