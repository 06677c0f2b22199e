-- Format 3 of the search index (src/articles/search.rs): title, lead (subtitle and
-- summary) and body in columns of their own, the title's and lead's tokens also spelled
-- a second time (marked), so ranking finds the matches boosted by their title or lead
-- in the index, with prefixes of 6 and 7 characters (a marked character's prefix);
-- and each article's text at a rowid made of whether
-- its status may be public, its publication time and its id, so the index lists
-- matches newest first and counts the public ones by itself. The server fills the new
-- table at start-up (the format recorded below is stale).
DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5 (title, lead, body, content = '', contentless_delete = 1, prefix = '6,7');
UPDATE search_format SET format = 0;
