DROP INDEX articles_lead_search;
ALTER TABLE articles DROP COLUMN lead_vector;
UPDATE search_format SET format = 0;
