-- A Start ends the open sessions it supersedes (V43): those of the same device at the same NAS under
-- another Acct-Session-Id. Without an index that leads to the device's open sessions, the lookup read
-- either all of the tenant's open sessions (through session_tenant_open_ip_idx, whose key starts with
-- tenant_id) or the device's whole history (session_tenant_mac_started_idx), whichever the statistics
-- favoured: about 2,500 buffers a call, the most expensive statement of RADIUS ingest (BENCHMARKS.md).
-- Open sessions only, so it stays small and an Interim-Update (which changes none of its columns)
-- stays a HOT update.
--
-- CONCURRENTLY, so that the upgrade does not stop ingest (see V53 for how Flyway runs it).
CREATE INDEX CONCURRENTLY session_tenant_open_device_idx ON session (tenant_id, guest_device_mac, nas_id)
    WHERE end_time IS NULL;
