DROP TABLE channels;
DROP TABLE refresh_tokens;
DROP TABLE users;
