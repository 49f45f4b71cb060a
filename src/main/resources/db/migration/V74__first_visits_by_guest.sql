-- The first-visit entries of a guest, with what the statistics read of them, in the index: a
-- busy venue's month asks for the entries of some 20,000 guests, about 7 each. Read through the
-- primary key, each entry cost a heap page (630 ms for 18,100 guests at 10,000,000 sessions);
-- read from this index alone, 90 ms (BENCHMARKS.md).
--
-- CONCURRENTLY, outside a transaction (see V53), so that the upgrade does not stop the refresher.
CREATE INDEX CONCURRENTLY guest_first_visit_guest_idx
    ON guest_first_visit (tenant_id, guest_ordinal) INCLUDE (location_id, first_start, first_day);
