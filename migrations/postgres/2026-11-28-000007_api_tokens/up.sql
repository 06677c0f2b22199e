-- API tokens for integrators. Only the SHA-256 digest of a token is kept (a token is
-- 256 random bits, so a fast digest is as strong as a slow one here), with the first
-- characters as a hint. A revoked token keeps its row, so the list still shows it.
-- A token outlives the admin who made it: it is its own principal, and `created_by`
-- only records who did.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash TEXT NOT NULL,
    hint TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
