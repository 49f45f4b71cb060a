-- Captive-portal logins: who the guest behind a username or a device was, at a venue, from a time.
--
-- A login applies to a session at the same location with the same username or the same device MAC
-- when the login happened no later than login_window_end(session); of the logins that apply, the
-- latest (by login_time, then id) is the session's: latest_login(..., login_window_end(session)).
-- That one rule is used twice:
--   - when a login arrives, LoginStore links the sessions already stored (POST /ingest/logins);
--   - when a session is inserted later, by any writer (RADIUS accounting, the import, the demo),
--     the BEFORE INSERT trigger below fills it from its latest login.

CREATE TABLE login (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id                bigint      NOT NULL REFERENCES tenant (id),
    location_id              bigint      NOT NULL REFERENCES location (id),
    guest_id                 bigint      REFERENCES guest (id),
    username                 text,
    guest_device_mac         macaddr,
    guest_device_description text,
    login_type_name          text,
    service_profile_name     text,
    access_code              text,
    login_time               timestamptz NOT NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (username IS NOT NULL OR guest_device_mac IS NOT NULL)
);

-- The latest login of a username or of a device at a venue: one index descent each, newest first.
CREATE INDEX login_tenant_location_username_time_idx
    ON login (tenant_id, location_id, username, login_time, id) WHERE username IS NOT NULL;
CREATE INDEX login_tenant_location_mac_time_idx
    ON login (tenant_id, location_id, guest_device_mac, login_time, id) WHERE guest_device_mac IS NOT NULL;

-- The sessions a new login links, by username (by MAC, session_tenant_mac_started_idx serves).
CREATE INDEX session_tenant_username_started_idx
    ON session (tenant_id, username, start_time) WHERE username IS NOT NULL;

-- The latest login time that still applies to a session: up to 10 minutes after the session started
-- (the portal's report and the NAS's Start arrive in either order, from clocks that differ a little),
-- and not after it ended; while the session is open, any. A session that ended before the login,
-- or that started long before it and has ended, is not the login's.
CREATE FUNCTION login_window_end(start_time timestamptz, end_time timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN end_time IS NULL THEN 'infinity'::timestamptz
                      ELSE LEAST(start_time + interval '10 minutes', end_time) END $$;

-- Closes the race between a session insert and a login committed while it was in flight (neither
-- would see the other). A new session takes its location's advisory lock shared before it looks for
-- its login (session_link_login); LoginStore, after committing logins, takes it exclusively once,
-- which waits for every insert that may have looked too early, and then links again. The key pair
-- (1280264009 is 'LOGI', location) is spelled here and in session_link_login; Flyway's own advisory
-- locks use the one-bigint form, which never collides with the two-integer one.
CREATE FUNCTION await_session_inserts(location bigint) RETURNS void
    LANGUAGE sql
    AS $$ SELECT pg_advisory_xact_lock(1280264009, (location % 2147483647)::integer) $$;

-- The latest login of a username or a device at a venue that happened no later than a time:
-- one index descent for the username and one for the MAC, whichever is newer.
CREATE FUNCTION latest_login(tenant bigint, location bigint, user_name text, device macaddr,
                             no_later_than timestamptz) RETURNS SETOF login
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT c.* FROM (
        (SELECT * FROM login l
         WHERE l.tenant_id = tenant AND l.location_id = location AND l.username = user_name
           AND l.login_time <= no_later_than
         ORDER BY l.login_time DESC, l.id DESC LIMIT 1)
        UNION ALL
        (SELECT * FROM login l
         WHERE l.tenant_id = tenant AND l.location_id = location AND l.guest_device_mac = device
           AND l.login_time <= no_later_than
         ORDER BY l.login_time DESC, l.id DESC LIMIT 1)
    ) c
    ORDER BY c.login_time DESC, c.id DESC
    LIMIT 1
$$;

-- Fills a new session's guest_id, guest_device_description, login_type_name, service_profile_name
-- and access_code, each only where the writer left it null, from the session's latest login.
-- It runs for every accounting packet, so it costs little where it can: rows with nothing to match
-- on or nothing to fill never call it (WHEN, evaluated without entering PL/pgSQL); an upsert of a
-- session already stored (that one was linked when its login arrived) costs one probe of the
-- accounting key's index; a new session, the location's lock and latest_login's two descents.
CREATE FUNCTION session_link_login() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    latest login;
BEGIN
    IF NEW.acct_session_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM session s
            WHERE s.tenant_id = NEW.tenant_id AND s.nas_id = NEW.nas_id AND s.acct_session_id = NEW.acct_session_id) THEN
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

CREATE TRIGGER session_link_login BEFORE INSERT ON session
    FOR EACH ROW
    WHEN ((NEW.username IS NOT NULL OR NEW.guest_device_mac IS NOT NULL)
          AND num_nulls(NEW.guest_id, NEW.guest_device_description, NEW.login_type_name,
                        NEW.service_profile_name, NEW.access_code) > 0)
    EXECUTE FUNCTION session_link_login();
