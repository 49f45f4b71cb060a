-- Guests and their Wi-Fi sessions. Every index leads with tenant_id: every query is scoped to one
-- tenant, and tenant_id is the distribution column if sessions are ever sharded (Citus).

CREATE TABLE guest (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      NOT NULL REFERENCES tenant (id),
    username    text,
    name        text,
    email       text,
    yas_id      text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guest_tenant_yas_id_idx ON guest (tenant_id, yas_id) WHERE yas_id IS NOT NULL;
CREATE INDEX guest_tenant_email_idx ON guest (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX guest_tenant_username_idx ON guest (tenant_id, username) WHERE username IS NOT NULL;

-- One accounting session. RADIUS sessions are keyed by (nas_id, acct_session_id); imported
-- sessions have neither. last_update is the last time anything was heard of the session: a
-- session without end_time whose last_update is older than the stale timeout is no longer online.
CREATE TABLE session (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id                bigint      NOT NULL REFERENCES tenant (id),
    location_id              bigint      NOT NULL REFERENCES location (id),
    nas_id                   bigint      REFERENCES nas (id),
    acct_session_id          text,
    username                 text,
    guest_id                 bigint      REFERENCES guest (id),
    guest_device_mac         macaddr,
    guest_device_ip          inet,
    guest_device_description text,
    access_code              text,
    login_type_name          text,
    service_profile_name     text,
    start_time               timestamptz NOT NULL,
    last_update              timestamptz NOT NULL,
    end_time                 timestamptz,
    input_octets             bigint      NOT NULL DEFAULT 0 CHECK (input_octets >= 0),
    output_octets            bigint      NOT NULL DEFAULT 0 CHECK (output_octets >= 0),
    session_time             bigint      CHECK (session_time >= 0),
    terminate_cause          text,
    CHECK (end_time IS NULL OR end_time >= start_time),
    CHECK (last_update >= start_time)
);

-- The accounting upsert's conflict target: one row per NAS session, whatever order packets arrive in.
CREATE UNIQUE INDEX session_tenant_nas_acct_session_key
    ON session (tenant_id, nas_id, acct_session_id) WHERE acct_session_id IS NOT NULL;

-- GET /sessions and /sessions/count: oldest or newest first, alone or by one filter.
CREATE INDEX session_tenant_started_idx ON session (tenant_id, start_time, id);
CREATE INDEX session_tenant_location_started_idx ON session (tenant_id, location_id, start_time, id);
CREATE INDEX session_tenant_mac_started_idx ON session (tenant_id, guest_device_mac, start_time, id);
CREATE INDEX session_tenant_guest_started_idx ON session (tenant_id, guest_id, start_time, id);
-- GET /sessions/{ips}: the latest session of an address.
CREATE INDEX session_tenant_ip_started_idx ON session (tenant_id, guest_device_ip, start_time);
-- Online counts per venue, polled all day: only open sessions, small and hot.
CREATE INDEX session_tenant_open_idx ON session (tenant_id, location_id, last_update) WHERE end_time IS NULL;
CREATE INDEX session_tenant_open_ip_idx ON session (tenant_id, guest_device_ip, last_update) WHERE end_time IS NULL;
