-- Whether a venue-day row's compact forms (V70) were written together with its current contents.
-- During a rolling upgrade a jar older than V70 still refreshes venue-days: it rewrites the V9
-- columns and leaves the compact ones as they were, stale. PostgreSQL itself recomputes
-- contents_hash on every write, old jar's or new; the refresher copies it to compact_hash when it
-- writes the compact forms (captiva.statistics.VenueDayRefresher). A row whose two differ (or that
-- has no compact forms) is never taken whole by a query: its sessions are read, and the refresher
-- logs it to be rebuilt. The hash covers every column the compact forms are made from; the sums
-- and times a query reads from the row itself.
--
-- Adding a stored generated column rewrites venue_day once (one row per venue and day, about a
-- thirtieth of the sessions' rows): statistics wait for it, accounting does not.
ALTER TABLE venue_day
    ADD COLUMN contents_hash bigint GENERATED ALWAYS AS (
        hash_array_extended(durations,
        hash_array_extended(guests,
        hash_array_extended(devices,
        hash_array_extended(presence_guests,
        hash_array_extended(presence_from,
        hash_array_extended(presence_to, 0))))))) STORED,
    ADD COLUMN compact_hash bigint;

-- The rows not to trust: none once every replica runs this version and the refresher caught up.
-- Queries and the refresher find them here without reading the rows.
CREATE INDEX venue_day_stale_idx ON venue_day (tenant_id, location_id, day)
    WHERE compact_hash IS DISTINCT FROM contents_hash;
