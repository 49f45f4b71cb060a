-- V61's index on each device's open sessions at a NAS, in id order, for the superseded-session lookup
-- (captiva.sessions.SessionRecorder.END_SUPERSEDED), which asks for that order so that this index
-- is the one it reads even where the planner has no statistics to choose by.
--
-- The lookup names its tenant as a value, as Citus needs to send it to the tenant's shards. Before
-- the table's first ANALYZE (a new deployment's first minute), PostgreSQL takes every index on
-- open sessions to give about one row for a tenant, so with V61's index it took whichever came
-- first: one that reads all of the tenant's open sessions for each Start
-- (SessionWritesBeforeAnalyzePlanTest). Among the indexes whose key starts with tenant_id, only this one
-- and the primary key give the tenant's sessions in id order, and the primary key holds every
-- session. Still open sessions only, and an Interim-Update changes none of its columns: it stays a
-- HOT update.
--
-- CONCURRENTLY, outside a transaction (see V53), so that the upgrade does not stop ingest.
CREATE INDEX CONCURRENTLY session_tenant_open_device_id_idx
    ON session (tenant_id, guest_device_mac, nas_id, id) WHERE end_time IS NULL;
DROP INDEX CONCURRENTLY session_tenant_open_device_idx;
