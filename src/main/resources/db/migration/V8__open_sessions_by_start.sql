-- GET /sessions?online=true lists open sessions in start order (oldest or newest first, by page or
-- by cursor). session_tenant_open_idx is ordered by last_update, so a page had to sort every open
-- session of the tenant, or walk the whole history in start order to find the open ones. Open
-- sessions are few (the reaper closes stale ones), so this index is small.
CREATE INDEX session_tenant_open_started_idx ON session (tenant_id, start_time, id) WHERE end_time IS NULL;
