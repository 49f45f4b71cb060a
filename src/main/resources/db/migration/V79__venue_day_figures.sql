-- What a statistics statement judges a venue-day by (StatisticsQueries.ROW_COLUMNS), in an index of
-- its own: a chain's year judges some 208,000 venue-days, and read from the table that was a
-- sequential scan of every tenant's days with their compact forms and older arrays (614 MB at
-- 10,000,000 sessions, 350-600 ms a request, BENCHMARKS.md). From this index alone it is one short
-- range per venue, without the heap while the days' pages are all visible (ended days change no
-- more); a venue's month is one range of some 30 entries. The forms are read by the primary key,
-- only for the rows taken.
--
-- CONCURRENTLY, outside a transaction (see V53), so that the upgrade does not stop the refresher.
CREATE INDEX CONCURRENTLY venue_day_figures_idx
    ON venue_day (tenant_id, location_id, day)
    INCLUDE (sessions, total_duration_seconds, downloaded_bytes, uploaded_bytes, first_start, last_start,
             last_end, compact_hash);
