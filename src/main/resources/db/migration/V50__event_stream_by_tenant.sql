-- event_stream (V31) holds the open live streams (GET /events/stream) of every replica, so that
-- the limit of open streams per API key (captiva.events.stream.max-per-key) holds across replicas.
-- The replica serving a stream renews seen_at while it is open and deletes the row when it closes;
-- a crashed replica's rows stop counting once seen_at is older than the lease
-- (captiva.events.stream.lease). Every statement on it starts from the tenant, so its index does too.
DROP INDEX event_stream_key_idx;
CREATE INDEX event_stream_tenant_key_idx ON event_stream (tenant_id, api_key_id, seen_at);
