-- The token format the search index was written in (src/articles/search.rs, FORMAT).
-- Format 2 folds full-width forms (NFKC) and traditional characters before cutting
-- tokens; the server rebuilds an index of any other format at start-up and records it.
CREATE TABLE search_format (format BIGINT NOT NULL);
INSERT INTO search_format (format) VALUES (1);
