-- Webhook endpoints and their deliveries (docs/events.md). Each endpoint reads the event log from
-- its own cursor (queued_position): the dispatcher turns the events after it that the endpoint
-- wants into webhook_delivery rows and moves the cursor, in one transaction. Delivery workers on
-- every replica claim due deliveries with FOR UPDATE SKIP LOCKED and a lease, so one delivery is
-- never sent by two workers at once, and a worker that dies mid-send leaves it to be retried.

CREATE TABLE webhook_endpoint (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       bigint      NOT NULL REFERENCES tenant (id),
    url             text        NOT NULL,
    event_types     text[]      NOT NULL,
    location_ids    bigint[],                   -- null: every venue of the tenant
    -- Kept as given (whsec_ + base64): signing needs the secret itself, not a hash of it.
    secret          text        NOT NULL,
    queued_position bigint      NOT NULL,       -- events up to here are queued as deliveries
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz,
    disabled_reason text
);
CREATE INDEX webhook_endpoint_tenant_idx ON webhook_endpoint (tenant_id, id);

CREATE TABLE webhook_delivery (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       bigint      NOT NULL,
    endpoint_id     bigint      NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    position        bigint      NOT NULL,       -- the event's (tenant_id, position)
    -- Deliveries of one key (the session, or the event itself) go out in position order.
    order_key       text        NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    first_attempt_at timestamptz,
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- What the workers claim: pending deliveries by due time.
CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE state = 'pending';
-- The order check: an earlier pending delivery of the same key holds a later one back.
CREATE INDEX webhook_delivery_order_idx ON webhook_delivery (endpoint_id, order_key, position) WHERE state = 'pending';
CREATE INDEX webhook_delivery_endpoint_idx ON webhook_delivery (tenant_id, endpoint_id, position);

-- Every attempt, kept for the API (GET .../attempts) and for the owner to see why an endpoint failed.
CREATE TABLE webhook_attempt (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    bigint      NOT NULL,
    endpoint_id  bigint      NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    delivery_id  bigint      REFERENCES webhook_delivery (id) ON DELETE CASCADE,   -- null for a ping
    message_id   text        NOT NULL,     -- the webhook-id header
    event_type   text        NOT NULL,
    attempted_at timestamptz NOT NULL,
    status_code  integer,                  -- null when no answer came
    latency_ms   integer     NOT NULL,
    error        text
);
CREATE INDEX webhook_attempt_endpoint_idx ON webhook_attempt (tenant_id, endpoint_id, id);

-- Open live streams (GET /events/stream), counted across replicas for the per-key limit; a row
-- whose replica stopped refreshing it no longer counts once seen_at is older than a minute.
CREATE TABLE event_stream (
    id         uuid        PRIMARY KEY,
    tenant_id  bigint      NOT NULL,
    api_key_id bigint      NOT NULL,
    opened_at  timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_stream_key_idx ON event_stream (api_key_id, seen_at);
