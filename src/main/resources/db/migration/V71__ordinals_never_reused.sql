-- The next free guest and device ordinal of each tenant (V70), kept apart from the ordinals
-- themselves: guest erasure and retention delete the ordinal rows whose key no session of the
-- tenant carries any more (captiva.statistics.Ordinals.forget), so "max + 1" could give a number
-- again, and the bits an older rollup row still holds for it would count the new guest as the old.
-- From here on a number is given once per tenant, for ever.
--
-- The row is also the tenant's numbering turn: whoever gives numbers (the refresher) or takes them
-- away (erasure, retention) holds it locked until it commits, so that a key is never numbered from
-- a snapshot that still saw sessions an erasure has since cleared.
CREATE TABLE ordinal_counter (
    tenant_id   bigint NOT NULL PRIMARY KEY,
    next_guest  int    NOT NULL,
    next_device int    NOT NULL
);

INSERT INTO ordinal_counter (tenant_id, next_guest, next_device)
SELECT t.tenant_id,
       COALESCE((SELECT max(g.ordinal) + 1 FROM guest_ordinal g WHERE g.tenant_id = t.tenant_id), 0),
       COALESCE((SELECT max(d.ordinal) + 1 FROM device_ordinal d WHERE d.tenant_id = t.tenant_id), 0)
FROM (SELECT tenant_id FROM guest_ordinal UNION SELECT tenant_id FROM device_ordinal) t;
