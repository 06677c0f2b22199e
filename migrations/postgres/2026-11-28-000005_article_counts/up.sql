-- How many articles each channel holds, by status and by whether they carry a
-- publication time. Triggers keep it in the same transaction as every write to
-- `articles`, so no write path can forget it, and a list's total needs no scan of the
-- table (src/articles/repo.rs, `count`). The counts know nothing of visibility: the
-- rule stays in `repo::visible`, which the total applies to these counts. Writers of
-- one channel meet on its counter row; SERIALIZABLE aborts one of two that cross and
-- `db::write_transaction` runs it again.
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

CREATE FUNCTION article_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE article_counts SET articles = articles - 1
            WHERE channel_id = OLD.channel_id AND status = OLD.status
            AND dated = (OLD.published_at IS NOT NULL);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO article_counts (channel_id, status, dated, articles)
            VALUES (NEW.channel_id, NEW.status, NEW.published_at IS NOT NULL, 1)
            ON CONFLICT (channel_id, status, dated)
            DO UPDATE SET articles = article_counts.articles + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER article_counts_insert_delete AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION article_counts_track();

-- Only a change of channel, status or datedness moves an article between counts; an
-- ordinary edit leaves the counter rows alone, so concurrent edits do not contend.
CREATE TRIGGER article_counts_update AFTER UPDATE OF channel_id, status, published_at ON articles
    FOR EACH ROW
    WHEN (OLD.channel_id IS DISTINCT FROM NEW.channel_id OR OLD.status IS DISTINCT FROM NEW.status
        OR (OLD.published_at IS NULL) IS DISTINCT FROM (NEW.published_at IS NULL))
    EXECUTE FUNCTION article_counts_track();
