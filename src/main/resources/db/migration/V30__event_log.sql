-- The event log: what changed, per tenant, in the order the changes committed (docs/events.md,
-- docs/adr/0001-event-positions.md). Webhooks, the live stream and GET /events all read from it.
--
-- A writer (RADIUS batch, JSON ingest, import, portal login, erasure) adds its events to
-- event_pending in the same transaction as the change, so an event exists exactly when its change
-- committed. The sequencer (captiva.events.EventSequencer) moves committed pending events into
-- event, numbering each tenant's events 1, 2, 3... under the row lock of the tenant's
-- event_counter: a position is given only to committed events and only one numbering runs at a
-- time, so a reader that has seen position p never later finds an event at or below p.
-- Events name rows (session, login, guest) and are rendered when read, so an erased guest's
-- details disappear from the log with the guest.

CREATE TABLE event_pending (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- the order written; numbered in this order
    tenant_id   bigint      NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    location_id bigint,
    session_id  bigint,
    login_id    bigint,
    guest_id    bigint
);

CREATE TABLE event (
    tenant_id   bigint      NOT NULL REFERENCES tenant (id),
    position    bigint      NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    logged_at   timestamptz NOT NULL DEFAULT now(),
    location_id bigint,
    session_id  bigint,
    login_id    bigint,
    guest_id    bigint,
    PRIMARY KEY (tenant_id, position)
);
-- The retention job: a tenant's oldest events first.
CREATE INDEX event_tenant_logged_idx ON event (tenant_id, logged_at);

-- The last position given to each tenant's events; its row lock orders the numbering.
CREATE TABLE event_counter (
    tenant_id     bigint PRIMARY KEY REFERENCES tenant (id),
    last_position bigint NOT NULL
);

-- Tenants whose events are logged beside those with a webhook endpoint: a reader of GET /events or
-- the stream keeps its tenant's log on for the retention period after its last read.
CREATE TABLE event_reader (
    tenant_id    bigint PRIMARY KEY REFERENCES tenant (id),
    last_read_at timestamptz NOT NULL
);
