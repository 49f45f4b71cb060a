-- What a jar older than V76 must not do during a rolling upgrade, refused by the database: such a
-- jar keeps guest_first_visit but not guest_earliest_visit (V76), each guest's earliest entry,
-- which it would leave stale. An entry it inserts, or whose first start it moves, keeps this
-- column's default, which the check refuses; its delete of an entry that guest_earliest_visit
-- names, V76's foreign key refuses. Such a refresh fails as a whole and its log entries stay for
-- the current refresher (captiva.statistics.VenueDayRefresher); a venue rezone, an erasure or a
-- retention run of such a jar that would remove a named entry fails too, and succeeds on a
-- current one.
--
-- A column with a constant default and a NOT VALID check neither read nor rewrite the rows, so the
-- table's lock is held for a moment only; the check holds for every write from here on. Two
-- statements: Citus refuses ADD CONSTRAINT beside another subcommand on a distributed table.
ALTER TABLE guest_first_visit ADD COLUMN kept_first_start timestamptz NOT NULL DEFAULT '-infinity';
ALTER TABLE guest_first_visit
    ADD CONSTRAINT guest_first_visit_earliest_kept CHECK (kept_first_start = first_start) NOT VALID;
