DROP TRIGGER article_counts_update;
DROP TRIGGER article_counts_delete;
DROP TRIGGER article_counts_insert;
DROP TABLE article_counts;
