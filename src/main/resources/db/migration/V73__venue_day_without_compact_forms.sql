-- The venue-day rows without compact forms (V72: compact_hash is null), which queries read from
-- their sessions and the refresher logs to be rebuilt: written before V70, or by an older jar
-- during a rolling upgrade. None once the refresher has caught up, so the index stays empty.
--
-- CONCURRENTLY, outside a transaction (see V53), so that the upgrade does not stop the refresher.
CREATE INDEX CONCURRENTLY venue_day_without_compact_forms_idx
    ON venue_day (tenant_id, location_id, day) WHERE compact_hash IS NULL;
