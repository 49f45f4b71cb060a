-- What a jar older than V70 must not do during a rolling upgrade, refused by the database: such a
-- jar still refreshes logged venue-days, rewriting a row's V9 columns and deleting a row whose
-- sessions are gone, and knows nothing of the compact forms and first visits (V70) it would leave
-- stale. Its refresh of such days fails as a whole, and the log entries it took stay for the
-- current refresher (captiva.statistics.VenueDayRefresher). A row it inserts has no compact forms:
-- like a row from before V70, it is never taken whole by a query, and the refresher logs it to be
-- rebuilt (V73).

-- The hash of a row's contents that its compact forms were made from. Only the arrays count: a
-- query reads the sums and times from the row itself.
CREATE FUNCTION venue_day_contents_hash(durations bigint[], guests text[], devices macaddr[],
                                        presence_guests text[], presence_from timestamptz[],
                                        presence_to timestamptz[])
    RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT hash_array_extended(durations,
               hash_array_extended(guests,
               hash_array_extended(devices,
               hash_array_extended(presence_guests,
               hash_array_extended(presence_from,
               hash_array_extended(presence_to, 0))))))
    $$;

-- The refresher stores the hash with the compact forms; a write that leaves a row whose contents
-- no longer hash to it is refused. A nullable column without a default and a NOT VALID check
-- neither read nor rewrite the rows (none has a hash yet, which the check lets through), so the
-- table's lock is held for a moment only; the check holds for every write from here on.
ALTER TABLE venue_day
    ADD COLUMN compact_hash bigint,
    ADD CONSTRAINT venue_day_compact_of_its_contents CHECK (
        compact_hash IS NULL
        OR compact_hash = venue_day_contents_hash(durations, guests, devices,
                                                  presence_guests, presence_from, presence_to)) NOT VALID;

-- A first visit names the row of its day: a row goes only with the first visits in it (checked at
-- commit, as the refresher moves them after its statement deleted the row). NOT VALID: every entry
-- was written by a refresher that keeps this, so no row is read to add it.
ALTER TABLE guest_first_visit
    ADD CONSTRAINT guest_first_visit_day_fkey FOREIGN KEY (tenant_id, location_id, first_day)
        REFERENCES venue_day (tenant_id, location_id, day) DEFERRABLE INITIALLY DEFERRED NOT VALID;
