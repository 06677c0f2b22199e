-- How many articles each channel holds, by status and by whether they carry a
-- publication time. Triggers keep it in the same transaction as every write to
-- `articles`, so no write path can forget it, and a list's total needs no scan of the
-- table (src/articles/repo.rs, `count`). The counts know nothing of visibility: the
-- rule stays in `repo::visible`, which the total applies to these counts.
CREATE TABLE article_counts (
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    dated BOOLEAN NOT NULL,
    articles BIGINT NOT NULL,
    PRIMARY KEY (channel_id, status, dated)
);

INSERT INTO article_counts (channel_id, status, dated, articles)
    SELECT channel_id, status, published_at IS NOT NULL, COUNT(*)
    FROM articles
    GROUP BY channel_id, status, published_at IS NOT NULL;

CREATE TRIGGER article_counts_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO article_counts (channel_id, status, dated, articles)
        VALUES (NEW.channel_id, NEW.status, NEW.published_at IS NOT NULL, 1)
        ON CONFLICT (channel_id, status, dated) DO UPDATE SET articles = articles + 1;
END;

CREATE TRIGGER article_counts_delete AFTER DELETE ON articles
BEGIN
    UPDATE article_counts SET articles = articles - 1
        WHERE channel_id = OLD.channel_id AND status = OLD.status
        AND dated = (OLD.published_at IS NOT NULL);
END;

-- Only a change of channel, status or datedness moves an article between counts; an
-- ordinary edit leaves the counter rows alone (on PostgreSQL, concurrent edits would
-- otherwise contend for them).
CREATE TRIGGER article_counts_update AFTER UPDATE OF channel_id, status, published_at ON articles
WHEN OLD.channel_id <> NEW.channel_id OR OLD.status <> NEW.status
    OR (OLD.published_at IS NULL) <> (NEW.published_at IS NULL)
BEGIN
    UPDATE article_counts SET articles = articles - 1
        WHERE channel_id = OLD.channel_id AND status = OLD.status
        AND dated = (OLD.published_at IS NOT NULL);
    INSERT INTO article_counts (channel_id, status, dated, articles)
        VALUES (NEW.channel_id, NEW.status, NEW.published_at IS NOT NULL, 1)
        ON CONFLICT (channel_id, status, dated) DO UPDATE SET articles = articles + 1;
END;
