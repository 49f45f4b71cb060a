-- Identity across reconnects (issue #17 item 3).

-- A device that reconnects gets a new Acct-Session-Id, and many NAS never send the Stop of the old
-- one (the AP lost the client, or the controller restarted the session): the old session stayed
-- online until the reaper's timeout, so the guest counted twice. A Start for a device (MAC) at a NAS
-- now ends that NAS's other open sessions of the device at the Start's time. Per tenant, default on:
-- where devices hide behind one MAC (a wired NAT box, a shared kiosk) two sessions are real.
ALTER TABLE tenant ADD COLUMN end_superseded_sessions boolean NOT NULL DEFAULT true;

-- A NAS that reboots (Accounting-On) may count its Acct-Session-Ids from the start again, and the
-- accounting key (tenant, NAS, Acct-Session-Id) then named the old, closed session: the new session
-- was merged into it and stayed closed. Each Accounting-On of a NAS is recorded; a session belongs to
-- the NAS's latest Accounting-On before it started (its nas_epoch, -infinity before any), and the
-- key includes it. A late packet of a session from before the reboot (its start counted back by
-- Acct-Session-Time) still finds that session.
CREATE TABLE nas_accounting_on (
    tenant_id bigint      NOT NULL REFERENCES tenant (id),
    nas_id    bigint      NOT NULL REFERENCES nas (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, nas_id, at)
);

-- A constant default: no row is rewritten. The key's index is rebuilt with the epoch, which locks
-- session for the build (once, at the upgrade).
ALTER TABLE session ADD COLUMN nas_epoch timestamptz NOT NULL DEFAULT '-infinity';
CREATE UNIQUE INDEX session_tenant_nas_acct_session_epoch_key
    ON session (tenant_id, nas_id, acct_session_id, nas_epoch) WHERE acct_session_id IS NOT NULL;
DROP INDEX session_tenant_nas_acct_session_key;

-- The login trigger's shortcut ("this upsert updates a stored session, which was linked when its
-- login arrived") must ask the key as it is now, or a session reusing an id after a reboot would
-- be taken for the old one and never linked to its login. Otherwise as in V4.
CREATE OR REPLACE FUNCTION session_link_login() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    latest login;
BEGIN
    IF NEW.acct_session_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM session s
            WHERE s.tenant_id = NEW.tenant_id AND s.nas_id = NEW.nas_id AND s.acct_session_id = NEW.acct_session_id
              AND s.nas_epoch = NEW.nas_epoch) THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(1280264009, (NEW.location_id % 2147483647)::integer);
    SELECT * INTO latest FROM latest_login(NEW.tenant_id, NEW.location_id, NEW.username, NEW.guest_device_mac,
                                           login_window_end(NEW.start_time, NEW.end_time));
    IF FOUND THEN
        NEW.guest_id                 := COALESCE(NEW.guest_id, latest.guest_id);
        NEW.guest_device_description := COALESCE(NEW.guest_device_description, latest.guest_device_description);
        NEW.login_type_name          := COALESCE(NEW.login_type_name, latest.login_type_name);
        NEW.service_profile_name     := COALESCE(NEW.service_profile_name, latest.service_profile_name);
        NEW.access_code              := COALESCE(NEW.access_code, latest.access_code);
    END IF;
    RETURN NEW;
END
$$;
