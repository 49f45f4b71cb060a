-- Compact forms of the venue-day rollups, combined in Java by the statistics (captiva.statistics
-- .Summaries): a chain's year was slow because SQL combined about 110,000 array elements exactly
-- (distinct counts, the median, the peak sweep over each guest's merged ranges; BENCHMARKS.md).
--
-- A tenant's guests (keys as in StatisticsQueries.guestKey) and devices are numbered 0, 1, 2...,
-- once and for ever, by the refresher; the rollups hold sets of those numbers as RoaringBitmaps.
-- Both keys include tenant_id, so the tables distribute with the tenant on Citus.
CREATE TABLE guest_ordinal (
    tenant_id bigint NOT NULL,
    guest_key text   NOT NULL,
    ordinal   int    NOT NULL,
    PRIMARY KEY (tenant_id, guest_key),
    UNIQUE (tenant_id, ordinal)          -- also how the next free number is found (max)
);

CREATE TABLE device_ordinal (
    tenant_id bigint  NOT NULL,
    mac       macaddr NOT NULL,
    ordinal   int     NOT NULL,
    PRIMARY KEY (tenant_id, mac),
    UNIQUE (tenant_id, ordinal)
);

-- Where each guest was first seen at each venue, from the rollups: the first start among the ended
-- sessions of the guest (by ordinal) at the venue, and the venue-day it is in. Returning guests are
-- read from here (a guest returns when seen before the period at a venue the key may see) instead of
-- looking up each guest's sessions. Kept by the refresher with the rows: a row's guests set their
-- first visit when it is earlier, or when the first visit was in that day; a first visit in a day
-- whose guest is gone from it is looked up again from the sessions. An entry in a day logged as
-- changed is not trusted by a query, which reads that guest's sessions instead.
CREATE TABLE guest_first_visit (
    tenant_id     bigint      NOT NULL,
    guest_ordinal int         NOT NULL,
    location_id   bigint      NOT NULL,
    first_start   timestamptz NOT NULL,
    first_day     date        NOT NULL,
    PRIMARY KEY (tenant_id, guest_ordinal, location_id)
);
-- The refresher's look-up of the entries in the venue-days it recomputes.
CREATE INDEX guest_first_visit_day_idx ON guest_first_visit (tenant_id, location_id, first_day);
-- A query's read of the guests first seen before its periods.
CREATE INDEX guest_first_visit_start_idx ON guest_first_visit (tenant_id, first_start)
    INCLUDE (guest_ordinal, location_id, first_day);

-- Nullable columns without a default: adding them rewrites nothing and holds the table's lock for
-- a moment only. The refresher fills all four in the transaction that writes the row; a row without
-- them (written before this migration) is never taken whole by a query: its sessions are read.
ALTER TABLE venue_day
    ADD COLUMN guest_ordinals  bytea,   -- RoaringBitmap of guest ordinals
    ADD COLUMN device_ordinals bytea,   -- RoaringBitmap of device ordinals
    ADD COLUMN duration_counts bytea,   -- distinct durations (s) with their session counts, varints
    ADD COLUMN presence        bytea;   -- (guest ordinal, from, to) merged ranges in microseconds, varints

-- Every existing row is logged, so that the refresher rebuilds it with its compact forms.
INSERT INTO venue_day_dirty (tenant_id, location_id, day)
SELECT tenant_id, location_id, day FROM venue_day;
