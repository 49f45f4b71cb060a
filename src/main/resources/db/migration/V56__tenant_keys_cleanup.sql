-- Indexes left redundant by the keys of V54, dropped without blocking writes (CONCURRENTLY: this
-- script runs outside a transaction, as V53 does). The new primary keys are (tenant_id, id), which
-- location_tenant_idx, guest_tenant_idx and webhook_endpoint_tenant_idx already were. session_guest_idx
-- and login_guest_idx (V6) served the old foreign keys' lookups by guest_id alone; the new ones look
-- up (tenant_id, guest_id), served by session_tenant_guest_started_idx and login_tenant_guest_idx.
-- One index fewer on session is one index write fewer per stored session.
DROP INDEX CONCURRENTLY location_tenant_idx;
DROP INDEX CONCURRENTLY guest_tenant_idx;
DROP INDEX CONCURRENTLY webhook_endpoint_tenant_idx;
DROP INDEX CONCURRENTLY session_guest_idx;
DROP INDEX CONCURRENTLY login_guest_idx;
