CREATE TABLE authors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    title TEXT,
    bio TEXT,
    avatar_url TEXT,
    user_id BIGINT UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    subtitle TEXT,
    summary TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE RESTRICT,
    source_name TEXT,
    source_url TEXT,
    published_at TIMESTAMP,
    cover_image_url TEXT,
    comments_enabled BOOLEAN NOT NULL DEFAULT 1,
    comment_count BIGINT NOT NULL DEFAULT 0,
    page_count INTEGER NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX articles_published ON articles (published_at, id);
CREATE INDEX articles_channel ON articles (channel_id, published_at);
CREATE INDEX articles_updated ON articles (updated_at);
CREATE INDEX articles_created_by ON articles (created_by);

CREATE TABLE article_pages (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    page_number INTEGER NOT NULL,
    body_html TEXT NOT NULL,
    PRIMARY KEY (article_id, page_number)
);

CREATE TABLE article_bylines (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    author_id BIGINT NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    role TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_bylines_author ON article_bylines (author_id, article_id);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_tags_tag ON article_tags (tag);

CREATE TABLE article_related (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    related_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_related_related ON article_related (related_id);

CREATE TABLE article_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    edited_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    edited_at TIMESTAMP NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, version);

-- Full-text search over bigram tokens written by the application (src/articles/search.rs);
-- rowid is the article id.
CREATE VIRTUAL TABLE article_search USING fts5 (doc, content = '', contentless_delete = 1, prefix = '6');
