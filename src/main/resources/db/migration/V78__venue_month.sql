-- A venue's month of venue_day rows, combined: one row stands for the rows of a venue-local month
-- that it was built from, with their compact forms merged (the union of the guest and device
-- bitmaps, the durations' histograms added up, each guest's presence merged). A chain's year is
-- some 200,000 venue-days but some 7,000 venue-months, and what its statistics cost is the number
-- of rows they combine (BENCHMARKS.md).
--
-- Kept by captiva.statistics.VenueDayRefresher, at the end of a turn that changed one of its days,
-- for months that have ended everywhere; the current month is read by its days. A query trusts a
-- row only when the days it takes whole of that month are the very rows the month was built from:
-- as many (days) with the same sum of compact_hash (days_hash). So a row left behind by anything
-- else that changes venue_day (an older jar during a rolling upgrade, a change of time zone) is
-- never taken, only its days, until the refresher builds it again. The sums and times are not
-- kept here: a query adds up those of the days.

CREATE TABLE venue_month (
    tenant_id       bigint  NOT NULL,
    location_id     bigint  NOT NULL,
    month           date    NOT NULL,   -- the venue-local month's first day
    days            int     NOT NULL,   -- the venue_day rows it was built from
    days_hash       numeric NOT NULL,   -- the sum of their compact_hash
    guest_ordinals  bytea   NOT NULL,
    device_ordinals bytea   NOT NULL,
    duration_counts bytea   NOT NULL,
    presence        bytea   NOT NULL,
    PRIMARY KEY (tenant_id, location_id, month),
    CONSTRAINT venue_month_location_fkey FOREIGN KEY (tenant_id, location_id) REFERENCES location (tenant_id, id)
);

-- On a Citus cluster whose tables are distributed already (an upgrade), the table joins them now;
-- otherwise captiva.common.sql.CitusDistribution places it at start like every other (as V76).
DO $$
BEGIN
    -- nested: PL/pgSQL plans the inner test only when it runs, where Citus's catalog exists
    IF to_regclass('pg_dist_partition') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'venue_day'::regclass) THEN
            PERFORM create_distributed_table('venue_month', 'tenant_id', colocate_with => 'venue_day');
        END IF;
    END IF;
END
$$;
