-- Format 3 of the search index (src/articles/search.rs): the title and lead (subtitle
-- and summary) get a vector and GIN index of their own, where ranking finds the matches
-- boosted by them (GIN keeps no weights). The server fills it at start-up (the format
-- recorded below is stale).
ALTER TABLE articles ADD COLUMN lead_vector TSVECTOR;
CREATE INDEX articles_lead_search ON articles USING GIN (lead_vector);
UPDATE search_format SET format = 0;
