DROP INDEX authors_avatar_media;
DROP INDEX articles_cover_media;
ALTER TABLE authors DROP COLUMN avatar_media_id;
ALTER TABLE articles DROP COLUMN cover_media_id;
DROP TABLE tip_photos;
DROP TABLE media;
