-- Interim-Updates are most of the accounting traffic, and each one rewrote an entry in every index
-- of session because last_update was a column of the two open-session indexes: no update could be
-- HOT (heap-only). Without it, an Interim changes no indexed column, and with room left on the page
-- (fillfactor) PostgreSQL writes the new row version beside the old one and touches no index.
-- The online checks (last_update >= cutoff) now read last_update from the row; they did anyway for
-- busy venues, whose pages Interims keep from being all-visible. An address's online holder is now
-- its latest started online session, found by start_time, which an Interim never changes (it was
-- the one heard from last, which needed last_update in the index). BENCHMARKS.md has the figures.
ALTER TABLE session SET (fillfactor = 85);

DROP INDEX session_tenant_open_idx;
CREATE INDEX session_tenant_open_idx ON session (tenant_id, location_id) WHERE end_time IS NULL;

DROP INDEX session_tenant_open_ip_idx;
CREATE INDEX session_tenant_open_ip_idx ON session (tenant_id, guest_device_ip, start_time) WHERE end_time IS NULL;
