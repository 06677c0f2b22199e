ALTER TABLE articles ADD COLUMN lead_vector TSVECTOR;
CREATE INDEX articles_lead_search ON articles USING GIN (lead_vector);
UPDATE search_format SET format = 0;
