-- Each guest's first visit to each venue, for the returning guests of GET /sessions/statistics: a
-- guest is returning in a period when its first session at a venue the key may see started before
-- the period. Read with a join instead of one probe of the session table per guest (most of the
-- time of a wide question before this table: BENCHMARKS.md).
--
-- Kept by captiva.statistics.VenueDayRefresher, like venue_day and from the same log: when it
-- recomputes a venue-day, it recomputes, from the ended sessions, the first visit to that venue of
-- every guest the day had before and has now, and of every guest whose first visit falls on it. A
-- query trusts a row unless its day is logged as changed (the session it stands for may be gone),
-- and adds the sessions the rollups do not have: those of logged days and the open ones.
--
-- guest_key is the statistics' guest ('g' || guest_id, or 'm' || MAC for a session without a guest),
-- as in venue_day.guests. No foreign key to location: it is being re-keyed by tenant (issue #15), and
-- the refresher drops the rows of a venue's guests as their sessions go.
CREATE TABLE guest_first_visit (
    tenant_id   bigint      NOT NULL REFERENCES tenant (id),
    guest_key   text        NOT NULL,
    location_id bigint      NOT NULL,
    first_start timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, guest_key, location_id)
);

-- The first visits a venue-day holds, for the refresher: a first visit read from a session whose
-- own day was not rolled up yet is found again by its day when that session changes.
CREATE INDEX guest_first_visit_tenant_location_start_idx ON guest_first_visit (tenant_id, location_id, first_start);

-- The rollups built so far: their guests' first visits, from the same ended sessions. A change
-- committed after this statement's snapshot is in venue_day_dirty, and its refresh corrects the row.
INSERT INTO guest_first_visit (tenant_id, guest_key, location_id, first_start)
SELECT s.tenant_id,
       CASE WHEN s.guest_id IS NOT NULL THEN 'g' || s.guest_id ELSE 'm' || s.guest_device_mac::text END,
       s.location_id, min(s.start_time)
FROM session s
WHERE s.end_time IS NOT NULL AND (s.guest_id IS NOT NULL OR s.guest_device_mac IS NOT NULL)
GROUP BY 1, 2, 3;
