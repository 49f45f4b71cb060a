-- Keys that include tenant_id, step 2 of 3 (V53 says why): the indexes built in V53 become the
-- primary keys, and the foreign keys between tenant-owned tables name (tenant_id, id).
--
-- One transaction of catalog changes only: no index is built and no row is read here (tenant_id is
-- already NOT NULL, so a primary key USING INDEX checks nothing; a foreign key NOT VALID checks no
-- existing row, only new ones from here on). The tables are locked for as long as the catalog
-- takes, not for a scan. V55 validates the existing rows without blocking writes.

ALTER TABLE login DROP CONSTRAINT login_guest_id_fkey, DROP CONSTRAINT login_location_id_fkey;
ALTER TABLE session DROP CONSTRAINT session_guest_id_fkey, DROP CONSTRAINT session_location_id_fkey;
ALTER TABLE venue_day DROP CONSTRAINT venue_day_location_id_fkey;
ALTER TABLE session_control DROP CONSTRAINT session_control_session_id_fkey;
ALTER TABLE webhook_delivery DROP CONSTRAINT webhook_delivery_endpoint_id_fkey;
ALTER TABLE webhook_attempt DROP CONSTRAINT webhook_attempt_endpoint_id_fkey,
                            DROP CONSTRAINT webhook_attempt_delivery_id_fkey;

-- nas is a reference table (a copy on every node: a packet finds its NAS by source address or TLS
-- identity before the tenant is known), and a reference table may reference only reference tables,
-- so its foreign key to location goes and is not replaced. The guarantee it gave, a NAS's location
-- exists and is of the NAS's tenant, is kept by the code: the admin API registers or moves a NAS
-- only to a location it found by (tenant, location id) (TenantAdminController via AdminChecks), and
-- locations are never deleted (no API or job deletes one; a future delete must remove or move the
-- location's NAS first, in the same transaction).
ALTER TABLE nas DROP CONSTRAINT nas_location_id_fkey;

ALTER TABLE location DROP CONSTRAINT location_pkey;
ALTER TABLE location ADD CONSTRAINT location_pkey PRIMARY KEY USING INDEX location_tenant_id_key;
ALTER TABLE guest DROP CONSTRAINT guest_pkey;
ALTER TABLE guest ADD CONSTRAINT guest_pkey PRIMARY KEY USING INDEX guest_tenant_id_key;
ALTER TABLE login DROP CONSTRAINT login_pkey;
ALTER TABLE login ADD CONSTRAINT login_pkey PRIMARY KEY USING INDEX login_tenant_id_key;
ALTER TABLE session DROP CONSTRAINT session_pkey;
ALTER TABLE session ADD CONSTRAINT session_pkey PRIMARY KEY USING INDEX session_tenant_id_key;
ALTER TABLE session_control DROP CONSTRAINT session_control_pkey;
ALTER TABLE session_control ADD CONSTRAINT session_control_pkey PRIMARY KEY USING INDEX session_control_tenant_id_key;
ALTER TABLE event_pending DROP CONSTRAINT event_pending_pkey;
ALTER TABLE event_pending ADD CONSTRAINT event_pending_pkey PRIMARY KEY USING INDEX event_pending_tenant_id_key;
ALTER TABLE event_stream DROP CONSTRAINT event_stream_pkey;
ALTER TABLE event_stream ADD CONSTRAINT event_stream_pkey PRIMARY KEY USING INDEX event_stream_tenant_id_key;
ALTER TABLE venue_day_dirty DROP CONSTRAINT venue_day_dirty_pkey;
ALTER TABLE venue_day_dirty ADD CONSTRAINT venue_day_dirty_pkey PRIMARY KEY USING INDEX venue_day_dirty_tenant_id_key;
ALTER TABLE webhook_endpoint DROP CONSTRAINT webhook_endpoint_pkey;
ALTER TABLE webhook_endpoint ADD CONSTRAINT webhook_endpoint_pkey PRIMARY KEY USING INDEX webhook_endpoint_tenant_id_key;
ALTER TABLE webhook_delivery DROP CONSTRAINT webhook_delivery_pkey;
ALTER TABLE webhook_delivery ADD CONSTRAINT webhook_delivery_pkey PRIMARY KEY USING INDEX webhook_delivery_tenant_id_key;
ALTER TABLE webhook_attempt DROP CONSTRAINT webhook_attempt_pkey;
ALTER TABLE webhook_attempt ADD CONSTRAINT webhook_attempt_pkey PRIMARY KEY USING INDEX webhook_attempt_tenant_id_key;

-- The same references as before, within one tenant. A null guest_id or delivery_id still refers to
-- nothing (MATCH SIMPLE); the delete actions are as they were.
ALTER TABLE login ADD CONSTRAINT login_guest_fkey
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guest (tenant_id, id) NOT VALID;
ALTER TABLE login ADD CONSTRAINT login_location_fkey
    FOREIGN KEY (tenant_id, location_id) REFERENCES location (tenant_id, id) NOT VALID;
ALTER TABLE session ADD CONSTRAINT session_guest_fkey
    FOREIGN KEY (tenant_id, guest_id) REFERENCES guest (tenant_id, id) NOT VALID;
ALTER TABLE session ADD CONSTRAINT session_location_fkey
    FOREIGN KEY (tenant_id, location_id) REFERENCES location (tenant_id, id) NOT VALID;
ALTER TABLE venue_day ADD CONSTRAINT venue_day_location_fkey
    FOREIGN KEY (tenant_id, location_id) REFERENCES location (tenant_id, id) NOT VALID;
ALTER TABLE session_control ADD CONSTRAINT session_control_session_fkey
    FOREIGN KEY (tenant_id, session_id) REFERENCES session (tenant_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_delivery ADD CONSTRAINT webhook_delivery_endpoint_fkey
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoint (tenant_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_attempt ADD CONSTRAINT webhook_attempt_endpoint_fkey
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoint (tenant_id, id) ON DELETE CASCADE NOT VALID;
ALTER TABLE webhook_attempt ADD CONSTRAINT webhook_attempt_delivery_fkey
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_delivery (tenant_id, id) ON DELETE CASCADE NOT VALID;
