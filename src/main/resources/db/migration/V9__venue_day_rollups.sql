-- Rollups for GET /sessions/statistics: one row per venue and venue-local day, summing the ended
-- sessions that started that day. They hold what the statistics need to stay exact when days and
-- venues are combined: sums, every duration (for the median), the distinct guests and devices, and
-- each guest's time online merged into ranges (for the peak). Open sessions are never rolled up:
-- their duration grows with the clock; queries read them from session_tenant_open_started_idx.
--
-- Kept up to date by statement triggers that log which venue-days a change touched
-- (venue_day_dirty) and by captiva.statistics.VenueDayRefresher, which recomputes the logged days.
-- A query trusts a row only when no log entry of its venue-day is visible to it, and reads the
-- sessions of logged days directly, so answers are exact while the refresher catches up.

CREATE TABLE venue_day (
    tenant_id              bigint      NOT NULL REFERENCES tenant (id),
    location_id            bigint      NOT NULL REFERENCES location (id),
    day                    date        NOT NULL,
    sessions               bigint      NOT NULL,
    total_duration_seconds bigint      NOT NULL,
    downloaded_bytes       bigint      NOT NULL,
    uploaded_bytes         bigint      NOT NULL,
    -- Whether a filter takes the day whole: by start (first_start, last_start) and by end (last_end).
    first_start            timestamptz NOT NULL,
    last_start             timestamptz NOT NULL,
    last_end               timestamptz NOT NULL,
    durations              bigint[]    NOT NULL,   -- seconds, one per session, ascending
    guests                 text[]      NOT NULL,   -- distinct guest keys ('g' || guest_id, or 'm' || MAC without a guest)
    devices                macaddr[]   NOT NULL,   -- distinct device MACs
    -- Each guest's sessions merged into ranges: presence_guests[i] was online from presence_from[i] to presence_to[i].
    presence_guests        text[]      NOT NULL,
    presence_from          timestamptz[] NOT NULL,
    presence_to            timestamptz[] NOT NULL,
    PRIMARY KEY (tenant_id, location_id, day)
);

-- Append-only, so that a writer never waits for the refresher nor the refresher for a writer: the
-- refresher deletes the entries its snapshot sees, and the sessions it then reads (same snapshot)
-- include every change those entries stand for; an entry committed later stays for the next round.
CREATE TABLE venue_day_dirty (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint NOT NULL,
    location_id bigint NOT NULL,
    day         date   NOT NULL
);
CREATE INDEX venue_day_dirty_unit_idx ON venue_day_dirty (tenant_id, location_id, day);

-- Logs the venue-days of the ended sessions a statement inserted, updated (before and after) or
-- deleted. Interim-Updates of open sessions log nothing.
CREATE FUNCTION venue_day_mark_dirty() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO venue_day_dirty (tenant_id, location_id, day)
        SELECT DISTINCT n.tenant_id, n.location_id, (n.start_time AT TIME ZONE l.time_zone)::date
        FROM new_rows n JOIN location l ON l.id = n.location_id
        WHERE n.end_time IS NOT NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO venue_day_dirty (tenant_id, location_id, day)
        SELECT DISTINCT c.tenant_id, c.location_id, (c.start_time AT TIME ZONE l.time_zone)::date
        FROM (SELECT tenant_id, location_id, start_time FROM new_rows WHERE end_time IS NOT NULL
              UNION ALL
              SELECT tenant_id, location_id, start_time FROM old_rows WHERE end_time IS NOT NULL) c
        JOIN location l ON l.id = c.location_id;
    ELSE
        INSERT INTO venue_day_dirty (tenant_id, location_id, day)
        SELECT DISTINCT o.tenant_id, o.location_id, (o.start_time AT TIME ZONE l.time_zone)::date
        FROM old_rows o JOIN location l ON l.id = o.location_id
        WHERE o.end_time IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER session_inserted_venue_day AFTER INSERT ON session
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION venue_day_mark_dirty();
CREATE TRIGGER session_updated_venue_day AFTER UPDATE ON session
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION venue_day_mark_dirty();
CREATE TRIGGER session_deleted_venue_day AFTER DELETE ON session
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION venue_day_mark_dirty();

-- A venue's days are days in its time zone: when the zone changes, every one of its days is redone.
CREATE FUNCTION venue_day_rezone() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM venue_day WHERE tenant_id = NEW.tenant_id AND location_id = NEW.id;
    INSERT INTO venue_day_dirty (tenant_id, location_id, day)
    SELECT DISTINCT s.tenant_id, s.location_id, (s.start_time AT TIME ZONE NEW.time_zone)::date
    FROM session s WHERE s.tenant_id = NEW.tenant_id AND s.location_id = NEW.id AND s.end_time IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER location_rezoned_venue_day AFTER UPDATE OF time_zone ON location
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION venue_day_rezone();

-- Sessions stored before this migration: every venue-day is logged, and the refresher builds them.
INSERT INTO venue_day_dirty (tenant_id, location_id, day)
SELECT DISTINCT s.tenant_id, s.location_id, (s.start_time AT TIME ZONE l.time_zone)::date
FROM session s JOIN location l ON l.id = s.location_id
WHERE s.end_time IS NOT NULL;
