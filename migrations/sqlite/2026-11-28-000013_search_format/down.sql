DROP TABLE search_format;
