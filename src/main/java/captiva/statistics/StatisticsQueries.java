package captiva.statistics;

import captiva.sessions.Online;

/**
 * The SQL of GET /sessions/statistics. A statement first selects its sessions in one of two ways,
 * then returns them with the same fragments, for {@link StatisticsCombination} to combine:
 *
 * <ul>
 *   <li>from the session table alone ({@link #DIRECT}): the statement of GET /sessions (same
 *       filters, same tenant and key scoping) as the CTE {@code base}, and no rollup rows;
 *   <li>from the venue-day rollups where they cover the selection ({@link SessionStatistics} builds
 *       it from the fragments below): venue-days that the filter takes whole and that no log entry
 *       marks as changed become {@code rolled}, and are {@code taken} as they are or, a whole month
 *       of them, as their venue-month ({@link #TAKEN_MONTHS}); the sessions of every other
 *       venue-day the selection touches, and the open sessions, become {@code base}.
 * </ul>
 *
 * Every session and every rollup row taken whole is returned once, with its group when grouped
 * ({@link #OUTPUT}); the first visits of their guests follow ({@link #firstVisits}). Parameters are
 * named: {@code :tenant}, {@code :keyLocations} (null: every venue), {@code :location}, {@code
 * :from} and {@code :until} (the filter's time bounds), {@code :periodStart} (the filter's start,
 * null for none), {@code :now}, {@code :cutoff} (of {@link Online}), {@code :hourZone} and {@code
 * :grouped}; only the direct selection's filters, which are those of GET /sessions ({@link
 * captiva.sessions.SessionSelection}), are positional.
 */
final class StatisticsQueries {

    /**
     * The columns of a rollup row that a statement judges it by. Its compact forms are read only
     * for the rows it takes ({@link #daysTaken}): a chain's year judges some 200,000 venue-days and
     * takes 8,000 of them (and 7,000 months), and the forms of all of them in the statement's
     * working tables were written to disk and read back several times (auto_explain,
     * BENCHMARKS.md).
     */
    private static final String ROW_COLUMNS =
            """
            v.location_id, v.day, v.sessions, v.total_duration_seconds, v.downloaded_bytes, v.uploaded_bytes,
            v.first_start, v.last_start, v.last_end, v.compact_hash""";

    /** The columns of a row {@link #OUTPUT} takes whole, a venue-day's or a venue-month's. */
    private static final String TAKEN_COLUMNS =
            """
            location_id, day, time_zone, sessions, total_duration_seconds, downloaded_bytes, uploaded_bytes,
            guest_ordinals, device_ordinals, duration_counts, presence""";

    /** No rollup rows; put before the selection statement, which ends up as {@code base}. */
    static final String DIRECT =
            """
            WITH taken AS (
                SELECT %s FROM (SELECT v.*, ''::text AS time_zone FROM venue_day v WHERE false) v
            ), base AS (
            """
                    .formatted(TAKEN_COLUMNS);

    /** The direct selection's columns; the filters follow, then {@link #TIMED}. */
    static final String BASE =
            """
            SELECT s.location_id, l.time_zone, s.start_time, s.last_update, s.end_time, s.guest_id, s.guest_device_mac,
                   s.input_octets, s.output_octets
            FROM session s
            JOIN location l ON l.tenant_id = s.tenant_id AND l.id = s.location_id
            WHERE s.tenant_id = ?
            """;

    // ---------------------------------------------------------------- the selection through
    // rollups

    /** The venues of the selection: tenant, then optional key locations and location filter. */
    static final String ROLLUP_LOCATIONS =
            """
            WITH loc AS (
                SELECT l.id, l.time_zone FROM location l
                WHERE l.tenant_id = :tenant
            """;

    static final String LOCATION_IN = "AND l.id = ANY (:keyLocations)\n";
    static final String LOCATION_IS = "AND l.id = :location\n";

    /**
     * Rollup rows with a session the filter may take. Date bounds: a venue-local day lies within a
     * day of the UTC day.
     */
    static final String ROLLUP_ROWS =
            """
            ), stored AS (
                SELECT %s, loc.time_zone FROM venue_day v JOIN loc ON loc.id = v.location_id
                WHERE v.tenant_id = :tenant
            """
                    .formatted(ROW_COLUMNS);

    static final String ROWS_STARTED_FROM =
            """
            AND v.day >= (CAST(:from AS timestamptz) AT TIME ZONE 'UTC')::date - 1 AND v.last_start >= :from
            """;
    static final String ROWS_STARTED_BEFORE =
            """
            AND v.day <= (CAST(:until AS timestamptz) AT TIME ZONE 'UTC')::date + 1 AND v.first_start < :until
            """;

    /** Venue-days with a change the rollups do not have yet. */
    static final String DIRTY_DAYS =
            """
            ), dirty AS (
                SELECT DISTINCT d.location_id, d.day FROM venue_day_dirty d JOIN loc ON loc.id = d.location_id
                WHERE d.tenant_id = :tenant
            """;

    static final String DIRTY_FROM =
            "AND d.day >= (CAST(:from AS timestamptz) AT TIME ZONE 'UTC')::date - 1\n";
    static final String DIRTY_BEFORE =
            "AND d.day <= (CAST(:until AS timestamptz) AT TIME ZONE 'UTC')::date + 1\n";

    /**
     * Whether a rollup row {@code s} is taken whole: not changed since, with compact forms (a row
     * written before V70 or inserted by an older jar has none; V72 keeps those of every other row
     * true to its contents), and every session in the filter's range ({@code from}, {@code until}:
     * whether the filter has that bound). Never null.
     */
    static String whole(boolean from, boolean until) {
        return """
                NOT EXISTS (SELECT 1 FROM dirty d WHERE d.location_id = s.location_id AND d.day = s.day)
                      AND s.compact_hash IS NOT NULL"""
                + (from ? " AND s.first_start >= :from" : "")
                + (until ? " AND s.last_end < :until" : "");
    }

    /** The rollup rows taken whole, by {@link #whole}. */
    static String rolled(String whole) {
        return """
                ), rolled AS (
                    SELECT s.* FROM stored s WHERE %s
                """
                .formatted(whole);
    }

    /**
     * The venue-days {@code rows} (rows of {@code rolled}) with their compact forms, each by its
     * own primary key once the rows are known: the rows' count is estimated far too low for the
     * planner to choose a join with the whole table.
     */
    private static String daysTaken(String rows) {
        return """
                SELECT r.location_id, r.day, r.time_zone, r.sessions, r.total_duration_seconds, r.downloaded_bytes,
                       r.uploaded_bytes, v.guest_ordinals, v.device_ordinals, v.duration_counts, v.presence
                FROM (%s OFFSET 0) r
                CROSS JOIN LATERAL (
                    SELECT v.guest_ordinals, v.device_ordinals, v.duration_counts, v.presence FROM venue_day v
                    WHERE v.tenant_id = :tenant AND v.location_id = r.location_id AND v.day = r.day
                ) v
                """
                .formatted(rows);
    }

    /**
     * The rows taken whole are the venue-days rolled, one by one: for a statement grouped by day.
     */
    static final String TAKEN_DAYS = "), taken AS (\n" + daysTaken("SELECT * FROM rolled");

    /**
     * The rows taken whole are the venue-days rolled, where a venue-month (V78) stands for those of
     * its month: when they are the very rows it was built from (as many, with the same sum of
     * compact_hash), the month row is taken with their sums, and they are not. Only rows that the
     * statement takes anyway are replaced, so a month the filter cuts, or with a day changed since,
     * is taken by its days; a month whose rows changed without it (an older jar's refresh) is not
     * taken at all.
     */
    static final String TAKEN_MONTHS =
            """
            ), months AS (
                SELECT d.location_id, d.month AS day, d.time_zone, d.sessions, d.total_duration_seconds,
                       d.downloaded_bytes, d.uploaded_bytes,
                       m.guest_ordinals, m.device_ordinals, m.duration_counts, m.presence
                FROM (SELECT r.location_id, date_trunc('month', r.day::timestamp)::date AS month, r.time_zone,
                             count(*) AS days, sum(r.compact_hash) AS days_hash, sum(r.sessions)::bigint AS sessions,
                             sum(r.total_duration_seconds)::bigint AS total_duration_seconds,
                             sum(r.downloaded_bytes)::bigint AS downloaded_bytes,
                             sum(r.uploaded_bytes)::bigint AS uploaded_bytes
                      FROM rolled r GROUP BY 1, 2, 3) d
                JOIN venue_month m ON m.tenant_id = :tenant AND m.location_id = d.location_id AND m.month = d.month
                     AND m.days = d.days AND m.days_hash = d.days_hash
            ), taken AS (
                %2$s
                UNION ALL
                SELECT %1$s FROM months
            """
                    .formatted(
                            TAKEN_COLUMNS,
                            daysTaken(
                                    """
                                    SELECT * FROM rolled r
                                    WHERE NOT EXISTS (SELECT 1 FROM months m
                                                      WHERE m.location_id = r.location_id
                                                        AND m.day = date_trunc('month', r.day::timestamp)::date)"""));

    /**
     * The ended sessions of the venue-days not taken whole ({@link #whole} false, and the changed
     * ones), by the same venue-day rule as the refresher's, then filtered exactly; the filter
     * fragments follow.
     */
    static String unrolledSessions(String whole) {
        return UNROLLED_SESSIONS.formatted(whole, sessionOfVenueDay("s", "u.day", "loc.time_zone"));
    }

    private static final String UNROLLED_SESSIONS =
            """
            ), unrolled AS (
                SELECT s.location_id, s.day FROM stored s WHERE NOT (%1$s)
                UNION
                SELECT location_id, day FROM dirty
            ), base AS (
                SELECT s.location_id, loc.time_zone, s.start_time, s.last_update, s.end_time, s.guest_id, s.guest_device_mac,
                       s.input_octets, s.output_octets
                FROM unrolled u
                JOIN loc ON loc.id = u.location_id
                -- each venue-day by its own range of session_tenant_location_started_idx (OFFSET 0 keeps
                -- the planner from hashing every session of the tenant's period against a few days)
                CROSS JOIN LATERAL (
                    SELECT s.* FROM session s
                    WHERE s.tenant_id = :tenant AND s.location_id = u.location_id
                      AND %2$s
                    OFFSET 0
                ) s
                WHERE s.end_time IS NOT NULL
            """;

    static final String SESSIONS_STARTED_FROM = "AND s.start_time >= :from\n";
    static final String SESSIONS_ENDED_BEFORE =
            "AND s.end_time < :until AND s.start_time < :until\n";

    /**
     * Open sessions are never rolled up. Left out when the filter wants sessions ended before a
     * time.
     */
    static final String OPEN_SESSIONS =
            """
                UNION ALL
                SELECT s.location_id, loc.time_zone, s.start_time, s.last_update, s.end_time, s.guest_id, s.guest_device_mac,
                       s.input_octets, s.output_octets
                FROM session s
                JOIN loc ON loc.id = s.location_id
                WHERE s.tenant_id = :tenant AND s.end_time IS NULL
            """;

    // ---------------------------------------------------------------- buckets and aggregation

    /**
     * A guest is a guest_id, or the device MAC of a session without one; a session with neither
     * counts as a session and no guest. Duration ends at the Stop, now while online, else at the
     * last accounting (as total_duration in GET /sessions), and never before the start.
     */
    static final String TIMED =
            """
            ), timed AS (
                SELECT b.*,
                       %2$s AS guest_key,
                       %1$s AS online,
                       -- never before the start: a NAS clock ahead of ours may start a session "after now"
                       GREATEST(b.start_time, CASE WHEN b.end_time IS NOT NULL THEN b.end_time
                                                   WHEN %1$s THEN CAST(:now AS timestamptz)
                                                   ELSE b.last_update END) AS effective_end
                FROM base b
            ), bucketed AS (
                SELECT t.*, floor(extract(epoch FROM t.effective_end - t.start_time))::bigint AS duration_seconds,
                       k.bucket, k.bucket_order, k.period_start
                FROM timed t
                CROSS JOIN LATERAL (VALUES ('', '', CAST(:periodStart AS timestamptz))
            """
                    .formatted(Online.sql("b", "CAST(:cutoff AS timestamptz)"), guestKey("b"));

    /**
     * The group's bucket (name, sort key, start of its period): a group's period starts at its own
     * start, or later when the filter says so.
     */
    static final String LOCATION_BUCKET =
            """
            , (t.location_id::text, lpad(t.location_id::text, 20, '0'), CAST(:periodStart AS timestamptz))
            """;

    static final String DAY_BUCKET =
            """
            , ((t.start_time AT TIME ZONE t.time_zone)::date::text, (t.start_time AT TIME ZONE t.time_zone)::date::text,
               GREATEST(CAST(:periodStart AS timestamptz), date_trunc('day', t.start_time AT TIME ZONE t.time_zone) AT TIME ZONE t.time_zone))
            """;

    /**
     * The hour a session started in, on the clock of the selection's time zone (the location's when
     * the filter names one, else the tenant's, as for date-only filters), so that one instant is
     * one group whatever the venues' offsets. Named by epoch second; the name's offset is added in
     * Java. Rollups are per venue-day, so a statement grouped by hour selects directly.
     */
    static final String HOUR_BUCKET =
            """
            , (extract(epoch FROM date_trunc('hour', t.start_time, CAST(:hourZone AS text)))::bigint::text,
               lpad(extract(epoch FROM date_trunc('hour', t.start_time, CAST(:hourZone AS text)))::bigint::text, 20, '0'),
               GREATEST(CAST(:periodStart AS timestamptz), date_trunc('hour', t.start_time, CAST(:hourZone AS text))))
            """;

    /**
     * What the statement answers, in rows of three kinds, combined in Java ({@link
     * StatisticsCombination}):
     *
     * <ul>
     *   <li>{@code r}: each rollup row taken whole, once, with its group and the start of the
     *       group's period ({@code %1$s}, {@code %2$s}: see {@link #ROLLED_GROUP_NONE} and the
     *       others), its sums and its compact forms;
     *   <li>{@code s}: each session read directly, once, in its group's bucket (or {@code ''}) with
     *       that bucket's period start, and the ordinals of its guest and device when they have
     *       one;
     *   <li>{@code p}: one row, the start of the whole selection's period, as the database reads
     *       the filter's start (null: none).
     * </ul>
     *
     * The parameter {@code :grouped} says whether buckets other than {@code ''} exist. Returning
     * guests need the guests' first visits, which {@link #firstVisits} reads next.
     */
    static final String OUTPUT =
            """
                ) AS k(bucket, bucket_order, period_start)
            )
            SELECT 'r' AS kind, %1$s AS bucket, %2$s AS period_start, r.sessions, r.total_duration_seconds,
                   r.downloaded_bytes, r.uploaded_bytes, r.guest_ordinals, r.device_ordinals, r.duration_counts, r.presence,
                   NULL::text AS guest_key, NULL::int AS guest_ordinal, NULL::text AS mac, NULL::int AS device_ordinal,
                   NULL::boolean AS online, NULL::timestamptz AS start_time, NULL::timestamptz AS effective_end
            FROM taken r
            UNION ALL
            SELECT 's', b.bucket, b.period_start, 1, b.duration_seconds, b.output_octets, b.input_octets,
                   NULL, NULL, NULL, NULL, b.guest_key, g.ordinal, b.guest_device_mac::text, d.ordinal, b.online,
                   b.start_time, b.effective_end
            FROM bucketed b
            LEFT JOIN guest_ordinal g ON g.tenant_id = :tenant AND g.guest_key = b.guest_key
            LEFT JOIN device_ordinal d ON d.tenant_id = :tenant AND d.mac = b.guest_device_mac
            WHERE (b.bucket <> '') = CAST(:grouped AS boolean)
            UNION ALL
            SELECT 'p', '', CAST(:periodStart AS timestamptz), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                   NULL, NULL, NULL, NULL, NULL, NULL, NULL
            """;

    /**
     * When the guests {@code :ordinals} (and those without an ordinal) first had a session at a
     * venue the key may see, before {@code :firstBefore} (null: whenever), for returning guests:
     * from guest_first_visit (for a key that sees every venue, guest_earliest_visit) where the day
     * of the entry is current; for a guest whose entry is in a changed day, from their sessions;
     * and from the sessions the rollups do not hold (those of changed days, and open ones). Several
     * rows for one guest: the earliest counts. {@code exact} is true on a row from an entry or from
     * the guest's sessions looked up again, false on one from the sessions the rollups do not hold.
     * Run in the transaction of {@link #OUTPUT}, on the same snapshot.
     */
    private static final String ENTRIES =
            "-- the entries: ENTRIES_OF_GUESTS, ENTRIES_BEFORE or their EARLIEST_ forms";

    private static final String FIRST_VISITS =
            """
            WITH visible_dirty AS (
                SELECT d.location_id, d.day FROM venue_day_dirty d
                WHERE d.tenant_id = :tenant
                  AND (CAST(:keyLocations AS bigint[]) IS NULL OR d.location_id = ANY (CAST(:keyLocations AS bigint[])))
                UNION
                -- rows without compact forms (V73), which an older jar may have written: their guests'
                -- entries may be stale too
                SELECT v.location_id, v.day FROM venue_day v
                WHERE v.tenant_id = :tenant AND v.compact_hash IS NULL
                  AND (CAST(:keyLocations AS bigint[]) IS NULL OR v.location_id = ANY (CAST(:keyLocations AS bigint[])))
            %3$s
            ), unrolled AS (
                SELECT guest_key, min(start_time) AS first_start
                FROM (SELECT %1$s AS guest_key, s.start_time
                      FROM visible_dirty dd
                      JOIN location l ON l.tenant_id = :tenant AND l.id = dd.location_id
                      JOIN session s ON s.tenant_id = :tenant AND s.location_id = dd.location_id
                           AND %2$s
                      WHERE s.end_time IS NOT NULL
                        AND (CAST(:firstBefore AS timestamptz) IS NULL OR s.start_time < :firstBefore)
                      UNION ALL
                      SELECT %1$s, s.start_time FROM session s
                      WHERE s.tenant_id = :tenant AND s.end_time IS NULL
                        AND (CAST(:keyLocations AS bigint[]) IS NULL OR s.location_id = ANY (CAST(:keyLocations AS bigint[])))
                        AND (CAST(:firstBefore AS timestamptz) IS NULL OR s.start_time < :firstBefore)) u
                WHERE guest_key IS NOT NULL
                GROUP BY guest_key
            )
            SELECT NULL::text AS guest_key, e.guest_ordinal, min(e.first_start) AS first_start, true AS exact
            FROM entries e
            WHERE (CAST(:firstBefore AS timestamptz) IS NULL OR e.first_start < :firstBefore)
              AND NOT EXISTS (SELECT 1 FROM visible_dirty dd WHERE dd.location_id = e.location_id AND dd.day = e.first_day)
            GROUP BY e.guest_ordinal
            UNION ALL
            SELECT o.guest_key, o.ordinal,
                   CASE WHEN o.guest_key LIKE 'g%%' THEN (
                           SELECT min(p.start_time) FROM session p
                           WHERE p.tenant_id = :tenant AND (CAST(:keyLocations AS bigint[]) IS NULL
                                                           OR p.location_id = ANY (CAST(:keyLocations AS bigint[])))
                             AND p.guest_id = substr(o.guest_key, 2)::bigint)
                        ELSE (
                           SELECT min(p.start_time) FROM session p
                           WHERE p.tenant_id = :tenant AND (CAST(:keyLocations AS bigint[]) IS NULL
                                                           OR p.location_id = ANY (CAST(:keyLocations AS bigint[])))
                             AND p.guest_device_mac = substr(o.guest_key, 2)::macaddr AND p.guest_id IS NULL) END,
                   true
            FROM (SELECT DISTINCT e.guest_ordinal FROM entries e
                  JOIN visible_dirty dd ON dd.location_id = e.location_id AND dd.day = e.first_day) stale
            JOIN guest_ordinal o ON o.tenant_id = :tenant AND o.ordinal = stale.guest_ordinal
            UNION ALL
            SELECT u.guest_key, g.ordinal, u.first_start, false
            FROM unrolled u
            LEFT JOIN guest_ordinal g ON g.tenant_id = :tenant AND g.guest_key = u.guest_key
            """
                    .formatted(
                            guestKey("s"),
                            sessionOfVenueDay("s", "dd.day", "l.time_zone"),
                            ENTRIES);

    /**
     * The first-visit entries of the guests {@code :ordinals}: one probe of the primary key per
     * guest and venue, for a selection of a few thousand guests.
     */
    static final String ENTRIES_OF_GUESTS =
            """
            ), wanted AS (
                SELECT DISTINCT w.guest_ordinal FROM unnest(CAST(:ordinals AS int[])) AS w(guest_ordinal)
            ), entries AS (
                SELECT f.guest_ordinal, f.location_id, f.first_start, f.first_day
                FROM wanted w JOIN guest_first_visit f ON f.tenant_id = :tenant AND f.guest_ordinal = w.guest_ordinal
                WHERE (CAST(:keyLocations AS bigint[]) IS NULL OR f.location_id = ANY (CAST(:keyLocations AS bigint[])))""";

    /**
     * Every first-visit entry of the tenant before {@code :firstBefore}, whoever's, in one range of
     * guest_first_visit_start_idx: for a selection of very many guests (a chain's year has about a
     * hundred thousand), cheaper than a probe each; the guests not asked about cost a row each and
     * are ignored by {@link StatisticsCombination}.
     */
    static final String ENTRIES_BEFORE =
            """
            ), entries AS (
                SELECT f.guest_ordinal, f.location_id, f.first_start, f.first_day
                FROM guest_first_visit f
                WHERE f.tenant_id = :tenant AND f.first_start < :firstBefore
                  AND (CAST(:keyLocations AS bigint[]) IS NULL OR f.location_id = ANY (CAST(:keyLocations AS bigint[])))""";

    /**
     * For a key that sees every venue, where only a guest's earliest entry counts: the rows of
     * guest_earliest_visit of the guests {@code :ordinals}, one probe per guest. A row stands for
     * the entry it names, trusted as that entry would be: an earlier entry of the guest would be
     * the row's, and an earlier session in a changed day or open is read from the sessions.
     */
    static final String EARLIEST_OF_GUESTS =
            """
            ), wanted AS (
                SELECT DISTINCT w.guest_ordinal FROM unnest(CAST(:ordinals AS int[])) AS w(guest_ordinal)
            ), entries AS (
                SELECT e.guest_ordinal, e.location_id, e.first_start, e.first_day
                FROM wanted w JOIN guest_earliest_visit e ON e.tenant_id = :tenant AND e.guest_ordinal = w.guest_ordinal""";

    /**
     * {@link #EARLIEST_OF_GUESTS} for a selection of very many guests, as {@link #ENTRIES_BEFORE}
     * is: every row of the tenant before {@code :firstBefore}, in one range of
     * guest_earliest_visit_start_idx.
     */
    static final String EARLIEST_BEFORE =
            """
            ), entries AS (
                SELECT e.guest_ordinal, e.location_id, e.first_start, e.first_day
                FROM guest_earliest_visit e
                WHERE e.tenant_id = :tenant AND e.first_start < :firstBefore""";

    /**
     * The rows {@code e} of guest_earliest_visit of the tenant's guests first seen from {@code
     * :since}, before {@code :firstBefore} (null: ever since): one range of
     * guest_earliest_visit_start_idx.
     */
    private static final String FIRST_SEEN_IN_PERIOD =
            """
            e.tenant_id = :tenant AND e.first_start >= :since
                  AND (CAST(:firstBefore AS timestamptz) IS NULL OR e.first_start < :firstBefore)""";

    /**
     * For a key that sees every venue, when the guests asked about are many and the tenant's guests
     * first seen in the period few (a chain's year, a busy venue's month): instead of a probe per
     * guest, the rows of guest_earliest_visit from {@code :since} (the earliest start of a period)
     * to {@code :firstBefore} in one range of guest_earliest_visit_start_idx, the rows of the
     * guests {@code :ordinals} (those of the sessions read directly) probed, and the rows that name
     * an entry of a changed day, for the statement to look those guests up again. A guest of a
     * rollup row taken whole has a row no later than the row's sessions (the refresher keeps the
     * entries of a row's guests in the row's transaction), so such a guest whose row is in none of
     * these was first seen before {@code :since}: {@link SessionStatistics} says so without reading
     * it.
     */
    static final String EARLIEST_SINCE =
            """
            ), wanted AS (
                SELECT DISTINCT w.guest_ordinal FROM unnest(CAST(:ordinals AS int[])) AS w(guest_ordinal)
            ), entries AS (
                SELECT e.guest_ordinal, e.location_id, e.first_start, e.first_day
                FROM wanted w JOIN guest_earliest_visit e ON e.tenant_id = :tenant AND e.guest_ordinal = w.guest_ordinal
                UNION ALL
                SELECT e.guest_ordinal, e.location_id, e.first_start, e.first_day
                FROM guest_earliest_visit e
                WHERE %s
                UNION ALL
                SELECT e.guest_ordinal, e.location_id, e.first_start, e.first_day
                FROM visible_dirty dd
                JOIN guest_first_visit f ON f.tenant_id = :tenant AND f.location_id = dd.location_id AND f.first_day = dd.day
                JOIN guest_earliest_visit e ON e.tenant_id = :tenant AND e.guest_ordinal = f.guest_ordinal
                     AND e.location_id = f.location_id AND e.first_day = f.first_day"""
                    .formatted(FIRST_SEEN_IN_PERIOD);

    /**
     * How many of the tenant's guests were first seen from {@code :since} to {@code :firstBefore},
     * counted up to {@code :cap} only: what {@link #EARLIEST_SINCE} would read in its range.
     */
    static final String FIRST_SEEN_SINCE =
            """
            SELECT count(*) FROM (
                SELECT 1 FROM guest_earliest_visit e
                WHERE %s
                LIMIT :cap
            ) r
            """
                    .formatted(FIRST_SEEN_IN_PERIOD);

    /** {@link #firstVisits} with its entries read as {@code entries} says. */
    static String firstVisits(String entries) {
        return FIRST_VISITS.replace(ENTRIES, entries);
    }

    /**
     * The group of a rollup row {@code r} in {@link #OUTPUT} and the start of its period, by how
     * the statement groups: a day group's period starts at the venue-local day (or later, at the
     * filter's start), any other's at the filter's start.
     */
    static final String[] ROLLED_GROUP_NONE = {"''", "CAST(:periodStart AS timestamptz)"};

    static final String[] ROLLED_GROUP_LOCATION = {
        "r.location_id::text", "CAST(:periodStart AS timestamptz)"
    };
    static final String[] ROLLED_GROUP_DAY = {
        "r.day::text",
        "GREATEST(CAST(:periodStart AS timestamptz), r.day::timestamp AT TIME ZONE r.time_zone)"
    };

    /** Fills in {@link #OUTPUT} for rollup rows grouped as {@code group} says. */
    static String output(String[] group) {
        return OUTPUT.formatted(group[0], group[1]);
    }

    /** The names of the venues that have a group when grouped by location. */
    static final String LOCATION_NAMES =
            """
            SELECT l.id, l.name FROM location l WHERE l.tenant_id = :tenant AND l.id = ANY (:locations)
            """;

    /**
     * A guest, as the statistics count guests: the guest_id, or the device MAC of a session without
     * one ({@code 'g' || id}, {@code 'm' || mac}); null for a session with neither. The rollups
     * store these keys ({@link VenueDayRefresher}), so a guest is one guest across rollups and
     * sessions.
     */
    static String guestKey(String session) {
        return "CASE WHEN %1$s.guest_id IS NOT NULL THEN 'g' || %1$s.guest_id WHEN %1$s.guest_device_mac IS NOT NULL THEN 'm' || %1$s.guest_device_mac::text END"
                .formatted(session);
    }

    /**
     * The venue-day rule: a session belongs to the venue-local date its start falls on, on the
     * clock of the venue's time zone (the rollup triggers of V9 log the same day). A venue-local
     * day lies within a day either side of the UTC day of the same date; saying so lets an index on
     * start_time find the day's sessions.
     */
    static String sessionOfVenueDay(String session, String day, String timeZone) {
        return """
                %1$s.start_time >= (%2$s - 1)::timestamp AT TIME ZONE 'UTC'
                     AND %1$s.start_time < (%2$s + 2)::timestamp AT TIME ZONE 'UTC'
                     AND (%1$s.start_time AT TIME ZONE %3$s)::date = %2$s"""
                .formatted(session, day, timeZone);
    }

    private StatisticsQueries() {}
}
