-- Read and ingest keys. Only a SHA-256 of the key is stored: keys are 190 bits of randomness,
-- so a fast hash is safe and lets a request find its key with one index lookup.

CREATE TABLE api_key (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id             bigint      NOT NULL REFERENCES tenant (id),
    name                  text        NOT NULL,
    key_hash              bytea       NOT NULL,
    key_prefix            text        NOT NULL,
    scopes                text[]      NOT NULL,
    location_ids          bigint[],
    rate_limit_per_minute integer     NOT NULL CHECK (rate_limit_per_minute > 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    last_used_at          timestamptz,
    revoked_at            timestamptz
);
CREATE UNIQUE INDEX api_key_hash_key ON api_key (key_hash);
CREATE INDEX api_key_tenant_idx ON api_key (tenant_id, id);
