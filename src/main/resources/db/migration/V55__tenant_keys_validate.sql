-- Keys that include tenant_id, step 3 of 3: the foreign keys added NOT VALID in V54 check the rows
-- stored before them. VALIDATE CONSTRAINT scans with a SHARE UPDATE EXCLUSIVE lock, which lets
-- reads and writes go on, and it runs after V54 committed, so V54's brief locks are not held
-- through the scans. Every stored row passes: the old keys made each reference point at an
-- existing row, and every writer took both ids from one tenant.
ALTER TABLE login VALIDATE CONSTRAINT login_guest_fkey;
ALTER TABLE login VALIDATE CONSTRAINT login_location_fkey;
ALTER TABLE session VALIDATE CONSTRAINT session_guest_fkey;
ALTER TABLE session VALIDATE CONSTRAINT session_location_fkey;
ALTER TABLE venue_day VALIDATE CONSTRAINT venue_day_location_fkey;
ALTER TABLE session_control VALIDATE CONSTRAINT session_control_session_fkey;
ALTER TABLE webhook_delivery VALIDATE CONSTRAINT webhook_delivery_endpoint_fkey;
ALTER TABLE webhook_attempt VALIDATE CONSTRAINT webhook_attempt_endpoint_fkey;
ALTER TABLE webhook_attempt VALIDATE CONSTRAINT webhook_attempt_delivery_fkey;
