DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5 (doc, content = '', contentless_delete = 1, prefix = '6');
UPDATE search_format SET format = 0;
