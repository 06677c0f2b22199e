DROP TABLE article_revisions;
DROP TABLE article_related;
DROP TABLE article_tags;
DROP TABLE article_bylines;
DROP TABLE article_pages;
DROP TABLE articles;
DROP TABLE authors;
