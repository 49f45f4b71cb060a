-- GET /guests for a location-restricted key or with location_id: the guests who had a session at
-- some venues, read from this index alone (guest_id is not in session_tenant_location_started_idx,
-- which would cost a heap fetch per session of the venue).
CREATE INDEX session_tenant_location_guest_idx ON session (tenant_id, location_id, guest_id) WHERE guest_id IS NOT NULL;
