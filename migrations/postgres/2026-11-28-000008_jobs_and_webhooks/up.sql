-- The durable job outbox: written in the same transaction as the change that causes a
-- job, claimed by the workers (a lease, so a crashed worker's job is taken again).
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- At most one queued job per key (a scheduled publication: article and time).
    dedupe_key TEXT,
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Fixed from the configuration of the worker that first claims the job.
    max_attempts INTEGER,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    lease_owner TEXT,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_dedupe ON jobs (dedupe_key);

CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    -- Space-separated event names and patterns (`article.published channel.*`).
    events TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    description TEXT,
    -- `whsec_…`: the signing key itself, since signing needs it.
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    event_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    next_attempt_at TIMESTAMP,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
