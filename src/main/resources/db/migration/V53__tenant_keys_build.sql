-- Keys that include tenant_id (issue #15, "runs on Citus"), step 1 of 3: the indexes are built here,
-- V54 makes them the keys, V55 validates the foreign keys that use them.
--
-- Citus distributes each tenant-owned table by tenant_id and checks a unique key or a foreign key
-- on one shard only, so every such key must include tenant_id. The id columns stay unique on their
-- own (identity columns), so (tenant_id, id) is as unique as id was: nothing changes for a caller.
--
-- CONCURRENTLY builds each index without blocking writes, so the upgrade does not take ingest
-- offline. PostgreSQL refuses CONCURRENTLY inside a transaction: Flyway's PostgreSQL parser sees
-- that every statement here is one it cannot run in a transaction and runs this script outside one,
-- a statement at a time (SchemaDistributionRulesTest checks in pg_index that they ended valid).
-- Flyway's migration lock must then be a session-level one (flyway.postgresql.transactional.lock:
-- false in application.yml): CONCURRENTLY waits for every older transaction, the lock's included. Should one fail (a deadlock, a cancel), it leaves an INVALID index of that name:
-- drop it, run `flyway repair`, and migrate again.

-- The keys to be.
CREATE UNIQUE INDEX CONCURRENTLY location_tenant_id_key ON location (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY guest_tenant_id_key ON guest (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY login_tenant_id_key ON login (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY session_tenant_id_key ON session (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY session_control_tenant_id_key ON session_control (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY event_pending_tenant_id_key ON event_pending (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY event_stream_tenant_id_key ON event_stream (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY venue_day_dirty_tenant_id_key ON venue_day_dirty (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY webhook_endpoint_tenant_id_key ON webhook_endpoint (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY webhook_delivery_tenant_id_key ON webhook_delivery (tenant_id, id);
CREATE UNIQUE INDEX CONCURRENTLY webhook_attempt_tenant_id_key ON webhook_attempt (tenant_id, id);

-- The queues read across tenants in id order, or by id alone, by one worker for every tenant: the
-- event sequencer (event_pending), the rollup refresher (venue_day_dirty), the webhook workers and
-- their retention (webhook_delivery, webhook_attempt). They lose their index on id with their old
-- primary key in V54; these plain indexes keep those reads as they were (a plain index may leave
-- tenant_id out on Citus too).
CREATE INDEX CONCURRENTLY event_pending_id_idx ON event_pending (id);
CREATE INDEX CONCURRENTLY venue_day_dirty_id_idx ON venue_day_dirty (id);
CREATE INDEX CONCURRENTLY webhook_delivery_id_idx ON webhook_delivery (id);
CREATE INDEX CONCURRENTLY webhook_attempt_id_idx ON webhook_attempt (id);

-- A guest's logins, as the new foreign key (tenant_id, guest_id) looks them up when a guest is
-- deleted; replaces login_guest_idx (V6), dropped in V56. A session's are found by
-- session_tenant_guest_started_idx.
CREATE INDEX CONCURRENTLY login_tenant_guest_idx ON login (tenant_id, guest_id) WHERE guest_id IS NOT NULL;
