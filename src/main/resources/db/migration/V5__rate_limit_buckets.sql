-- Token buckets of the rate limiter when captiva.rate-limit.store=postgres, shared by every
-- replica. bucket4j's PostgreSQL proxy manager reads and writes this table but does not create it.
-- id is the bucket's name ("key:<api key id> <endpoint>", "auth:<client address>"); state is
-- bucket4j's serialized bucket; expires_at (epoch milliseconds) is when the bucket is full again,
-- after which the row means nothing and a cleanup deletes it. Not tenant data: no tenant_id.
CREATE TABLE rate_limit_bucket (
    id         text PRIMARY KEY,
    state      bytea,
    expires_at bigint
);
CREATE INDEX rate_limit_bucket_expires_idx ON rate_limit_bucket (expires_at);
