-- GET /sessions?online=true lists open sessions oldest (or newest) first. Without this index the
-- only ways in were the whole tenant in start order, walking years of closed sessions before the
-- first open one, or every open session of the tenant, joined and sorted to keep eleven: 0.7 to
-- 2.5 s per page at 10,000,000 sessions with 37,000 open in one tenant (BENCHMARKS.md, Reads).
-- Partial like session_tenant_open_idx: small, and only open sessions are ever in it.
CREATE INDEX session_tenant_open_started_idx ON session (tenant_id, start_time, id) WHERE end_time IS NULL;
