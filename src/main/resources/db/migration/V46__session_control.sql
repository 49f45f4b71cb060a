-- Disconnect- and CoA-Requests sent for a session (POST /sessions/{id}/disconnect and /coa): one row
-- per request, with the API key that asked and how the NAS answered. It is the session's control
-- history (GET /sessions/{id}/control) and the audit of who ended or changed whose session.
CREATE TABLE session_control (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       bigint      NOT NULL REFERENCES tenant (id),
    session_id      bigint      NOT NULL REFERENCES session (id) ON DELETE CASCADE,
    nas_id          bigint      NOT NULL REFERENCES nas (id),
    api_key_id      bigint      NOT NULL REFERENCES api_key (id),
    action          text        NOT NULL CHECK (action IN ('disconnect', 'coa')),
    session_timeout bigint      CHECK (session_timeout > 0),   -- what a CoA asked for
    outcome         text        NOT NULL CHECK (outcome IN ('ack', 'nak', 'timeout')),
    error_cause     integer,                                    -- RFC 5176 Error-Cause of a NAK
    attempts        integer     NOT NULL CHECK (attempts >= 1),
    requested_at    timestamptz NOT NULL,
    answered_at     timestamptz
);
-- A session's history, newest first.
CREATE INDEX session_control_tenant_session_idx ON session_control (tenant_id, session_id, id);
