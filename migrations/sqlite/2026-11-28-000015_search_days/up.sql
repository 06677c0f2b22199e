-- Format 4 of the search index changes PostgreSQL's vectors only; SQLite's FTS5 table
-- already lists matches in date order (src/articles/search.rs).
SELECT 1;
