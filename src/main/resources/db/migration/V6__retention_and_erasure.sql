-- Guest data protection: each tenant keeps guest data for its own retention period, after which a
-- scheduled job deletes it (captiva.privacy.RetentionJob); an admin can erase one guest at once
-- (captiva.privacy.GuestErasure).

-- 13 months by default: a year of seasonal comparison plus a month of slack, the usual ceiling
-- for Wi-Fi marketing data. Bounded so that a typo cannot keep data for ever or delete it today.
ALTER TABLE tenant ADD COLUMN retention_months integer NOT NULL DEFAULT 13
    CHECK (retention_months BETWEEN 1 AND 120);

-- The retention job's batches of expired logins, oldest first, and of a tenant's guests, in id order.
CREATE INDEX login_tenant_time_idx ON login (tenant_id, login_time);
CREATE INDEX guest_tenant_idx ON guest (tenant_id, id);

-- Deleting a guest makes PostgreSQL look for rows still pointing at it (the foreign keys of session
-- and login) by guest_id alone, without tenant_id; without these, every deleted guest would scan
-- both tables. The one place the tenant-first rule gives way: the lookup is PostgreSQL's, not ours.
CREATE INDEX session_guest_idx ON session (guest_id) WHERE guest_id IS NOT NULL;
CREATE INDEX login_guest_idx ON login (guest_id) WHERE guest_id IS NOT NULL;
