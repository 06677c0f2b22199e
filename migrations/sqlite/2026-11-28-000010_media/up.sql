-- The media library: one row per uploaded image. Its files live in the media store
-- (disk or S3) under `media/<hash>/`, where <hash> is the SHA-256 of the re-encoded
-- image; rows with the same hash share the files.
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    alt TEXT NOT NULL,
    caption TEXT,
    credit TEXT,
    -- `processing` until the job worker has made the responsive variants, then `ready`.
    status TEXT NOT NULL CHECK (status IN ('processing', 'ready')),
    -- The files made so far (a private, versioned JSON format: media::repo::StoredVariants).
    variants TEXT NOT NULL,
    -- The bytes as uploaded, kept only when NEWSDESK_MEDIA_KEEP_ORIGINALS is on.
    original_key TEXT,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX media_hash ON media (hash);
CREATE INDEX media_created ON media (created_at, id);

-- Readers' photos sent with a tip: private files under `tips/` in the store, readable
-- only by the newsroom through the API.
CREATE TABLE tip_photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tip_id BIGINT NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    storage_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tip_id, position)
);

-- Library images used by articles and authors. No foreign key: the services check them
-- inside their write transactions (a media row in use cannot be deleted: 409), and
-- SQLite cannot drop a column that a foreign key names.
ALTER TABLE articles ADD COLUMN cover_media_id BIGINT;
ALTER TABLE authors ADD COLUMN avatar_media_id BIGINT;
CREATE INDEX articles_cover_media ON articles (cover_media_id);
CREATE INDEX authors_avatar_media ON authors (avatar_media_id);
