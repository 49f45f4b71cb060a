-- One session.ended per session, whoever closes it. A Stop and the stale-session reaper (or two
-- writers with the same Stop) can close one session at nearly the same time: the second waits on
-- the session row, and its statement's snapshot, taken before the first committed, still sees the
-- session open. A unique key is checked against committed rows, not the snapshot: the writer whose
-- INSERT ... ON CONFLICT DO NOTHING adds the session here logs its session.ended, the other finds
-- the key taken and logs nothing (captiva.events.EventLog). Rows older than the event retention are
-- deleted with the events; the race they guard lasts as long as one transaction.
CREATE TABLE event_session_ended (
    tenant_id  bigint      NOT NULL,
    session_id bigint      NOT NULL,
    logged_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id)
);
-- The retention job: a tenant's oldest rows first.
CREATE INDEX event_session_ended_tenant_logged_idx ON event_session_ended (tenant_id, logged_at);
