-- A channel's outside links, in display order: its WeChat official account, Weibo,
-- forum, websites and apps. An editor's PATCH replaces the whole list.
CREATE TABLE channel_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('wechat_official_account', 'weibo', 'forum', 'website', 'app')),
    label TEXT NOT NULL,
    value TEXT,
    url TEXT
);
CREATE INDEX channel_links_channel ON channel_links (channel_id, position);
