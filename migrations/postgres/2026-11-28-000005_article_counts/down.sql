DROP TRIGGER article_counts_update ON articles;
DROP TRIGGER article_counts_insert_delete ON articles;
DROP FUNCTION article_counts_track();
DROP TABLE article_counts;
