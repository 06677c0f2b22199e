-- Format 4 of the search index (src/articles/search.rs): `search_vector` also holds the
-- title's and lead's tokens marked, where ranking finds the matches boosted by them, and
-- the day, month and year of publication, so a search asks GIN for a stretch of days at
-- a time. `lead_vector` is no longer read. The server fills the vectors at start-up (the
-- format recorded below is stale).
DROP INDEX articles_lead_search;
ALTER TABLE articles DROP COLUMN lead_vector;
UPDATE search_format SET format = 0;
