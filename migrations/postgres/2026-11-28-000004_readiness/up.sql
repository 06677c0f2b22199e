-- One row that /readyz rewrites: readiness means a write commits, not only that a
-- query answers (a read-only file or a full disk still answers queries).
CREATE TABLE readiness (
    id INTEGER PRIMARY KEY,
    checked_at TIMESTAMP NOT NULL
);
INSERT INTO readiness (id, checked_at) VALUES (1, CURRENT_TIMESTAMP);
