-- Each guest's earliest first visit: the entry of guest_first_visit with the earliest start, one
-- row a guest. A key that sees every venue asks when a guest was first seen anywhere, which is that
-- entry: read here, a chain's year reads one row a guest instead of one a venue the guest went to,
-- and a busy venue's month one probe a guest instead of all of the guest's entries (5-9x faster
-- at 10,000,000 sessions, BENCHMARKS.md). Kept by the refresher in the transaction that changes
-- the guest's entries (captiva.statistics.FirstVisits); a query trusts a row only when the day of
-- its entry is not logged as changed, as it does an entry.

-- No writer in the meantime: V75 refuses an older jar's inserts and updates, this lock its deletes,
-- until the foreign key below refuses them. Readers are not held.
LOCK TABLE guest_first_visit IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE guest_earliest_visit (
    tenant_id     bigint      NOT NULL,
    guest_ordinal int         NOT NULL,
    location_id   bigint      NOT NULL,
    first_start   timestamptz NOT NULL,
    first_day     date        NOT NULL
);

-- On a Citus cluster whose tables are distributed already (an upgrade), the table joins them now:
-- Citus takes a foreign key only between co-located distributed tables, and the fill below then
-- runs on the workers. Otherwise (a single PostgreSQL, or a cluster's first migration) this does
-- nothing, and captiva.common.sql.CitusDistribution places the table at start like every other.
DO $$
BEGIN
    -- nested: PL/pgSQL plans the inner test only when it runs, where Citus's catalog exists
    IF to_regclass('pg_dist_partition') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'guest_first_visit'::regclass) THEN
            PERFORM create_distributed_table('guest_earliest_visit', 'tenant_id',
                                             colocate_with => 'guest_first_visit');
        END IF;
    END IF;
END
$$;

-- Filled before its keys are built: a build is cheaper than an insert into each index per row.
INSERT INTO guest_earliest_visit (tenant_id, guest_ordinal, location_id, first_start, first_day)
SELECT DISTINCT ON (tenant_id, guest_ordinal) tenant_id, guest_ordinal, location_id, first_start, first_day
FROM guest_first_visit
ORDER BY tenant_id, guest_ordinal, first_start, location_id;

ALTER TABLE guest_earliest_visit ADD PRIMARY KEY (tenant_id, guest_ordinal);
-- A query's read of the guests first seen before its periods.
CREATE INDEX guest_earliest_visit_start_idx ON guest_earliest_visit (tenant_id, first_start)
    INCLUDE (guest_ordinal, location_id, first_day);

-- A row names its entry, so that no writer removes the entry and leaves the row (checked at commit:
-- the refresher moves the row after the statement that removed the entry). NOT VALID: every row
-- was just read from the entries, under the lock.
ALTER TABLE guest_earliest_visit
    ADD CONSTRAINT guest_earliest_visit_entry_fkey FOREIGN KEY (tenant_id, guest_ordinal, location_id)
        REFERENCES guest_first_visit (tenant_id, guest_ordinal, location_id) DEFERRABLE INITIALLY DEFERRED NOT VALID;
