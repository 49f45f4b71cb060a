package captiva.statistics;

import captiva.sessions.Online;

/**
 * The SQL of GET /sessions/statistics. A statement first selects its sessions in one of two ways,
 * then aggregates them with the same fragments:
 *
 * <ul>
 *   <li>from the session table alone ({@link #DIRECT}): the statement of GET /sessions (same
 *       filters, same tenant and key scoping) as the CTE {@code base}, and no rollup rows;
 *   <li>from the venue-day rollups where they cover the selection ({@link SessionStatistics} builds
 *       it from the fragments below): venue-days that the filter takes whole and that no log entry
 *       marks as changed become {@code rolled}; the sessions of every other venue-day the selection
 *       touches, and the open sessions, become {@code base}.
 * </ul>
 *
 * Every session then goes into the bucket of the whole selection ({@code ''}) and, when grouped,
 * into its group's bucket; so does every rollup row; each bucket is aggregated over both.
 * Parameters are named: {@code :tenant}, {@code :keyLocations} (null: every venue), {@code
 * :location}, {@code :from} and {@code :until} (the filter's time bounds), {@code :periodStart}
 * (the filter's start, null for none), {@code :now}, {@code :cutoff} (of {@link Online}) and {@code
 * :hourZone}; only the direct selection's filters, which are those of GET /sessions ({@link
 * captiva.sessions.SessionSelection}), are positional.
 */
final class StatisticsQueries {

    /** No rollup rows; put before the selection statement, which ends up as {@code base}. */
    static final String DIRECT =
            """
            WITH rolled AS (
                SELECT v.*, ''::text AS time_zone FROM venue_day v WHERE false
            ), base AS (
            """;

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
                SELECT v.*, loc.time_zone FROM venue_day v JOIN loc ON loc.id = v.location_id
                WHERE v.tenant_id = :tenant
            """;

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

    /** Rollup rows taken whole: not changed since, and every session in the filter's range. */
    static final String ROLLED =
            """
            ), rolled AS (
                SELECT s.* FROM stored s
                WHERE NOT EXISTS (SELECT 1 FROM dirty d WHERE d.location_id = s.location_id AND d.day = s.day)
            """;

    static final String ROLLED_FROM = "AND s.first_start >= :from\n";
    static final String ROLLED_ENDED_BEFORE = "AND s.last_end < :until\n";

    /**
     * The ended sessions of the venue-days not taken whole, by the same venue-day rule as the
     * refresher's, then filtered exactly; the filter fragments follow.
     */
    static final String UNROLLED_SESSIONS =
            """
            ), unrolled AS (
                SELECT s.location_id, s.day FROM stored s
                WHERE NOT EXISTS (SELECT 1 FROM rolled r WHERE r.location_id = s.location_id AND r.day = s.day)
                UNION
                SELECT location_id, day FROM dirty
            ), base AS (
                SELECT s.location_id, loc.time_zone, s.start_time, s.last_update, s.end_time, s.guest_id, s.guest_device_mac,
                       s.input_octets, s.output_octets
                FROM unrolled u
                JOIN loc ON loc.id = u.location_id
                JOIN session s ON s.tenant_id = :tenant AND s.location_id = u.location_id
                     AND %s
                WHERE s.end_time IS NOT NULL
            """
                    .formatted(sessionOfVenueDay("s", "u.day", "loc.time_zone"));

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

    /** The same buckets for rollup rows, which are venue-days. */
    static final String ROLLED_BUCKETS =
            """
                ) AS k(bucket, bucket_order, period_start)
            ), rolled_bucketed AS (
                SELECT r.*, k.bucket, k.bucket_order, k.period_start
                FROM rolled r
                CROSS JOIN LATERAL (VALUES ('', '', CAST(:periodStart AS timestamptz))
            """;

    static final String ROLLED_LOCATION_BUCKET =
            """
            , (r.location_id::text, lpad(r.location_id::text, 20, '0'), CAST(:periodStart AS timestamptz))
            """;
    static final String ROLLED_DAY_BUCKET =
            """
            , (r.day::text, r.day::text, GREATEST(CAST(:periodStart AS timestamptz), r.day::timestamp AT TIME ZONE r.time_zone))
            """;

    /**
     * Per bucket, over the sessions and the rollup rows together: the additive figures; the median
     * of every duration; distinct guests and devices; returning guests (the guest's first session
     * at a location the key may see started before the bucket's period); peak guests online at once
     * (each guest's ranges merged into one set, then a sweep where an end at t comes before a start
     * at t); guests online now.
     */
    static final String AGGREGATE =
            """
                ) AS k(bucket, bucket_order, period_start)
            ), additive AS (
                SELECT bucket, min(bucket_order) AS bucket_order, sum(sessions) AS sessions,
                       sum(total_duration_seconds) AS total_duration_seconds,
                       sum(downloaded_bytes) AS downloaded_bytes, sum(uploaded_bytes) AS uploaded_bytes
                FROM (SELECT bucket, bucket_order, 1 AS sessions, duration_seconds AS total_duration_seconds,
                             output_octets AS downloaded_bytes, input_octets AS uploaded_bytes
                      FROM bucketed
                      UNION ALL
                      SELECT bucket, bucket_order, sessions, total_duration_seconds, downloaded_bytes, uploaded_bytes
                      FROM rolled_bucketed) a
                GROUP BY bucket
            ), medians AS (
                SELECT bucket, percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_seconds) AS median_duration_seconds
                FROM (SELECT bucket, duration_seconds FROM bucketed
                      UNION ALL
                      SELECT bucket, unnest(durations) FROM rolled_bucketed) d
                GROUP BY bucket
            ), guests AS (
                SELECT bucket, guest_key, period_start FROM bucketed WHERE guest_key IS NOT NULL
                UNION ALL
                SELECT bucket, unnest(guests), period_start FROM rolled_bucketed
            ), guest_counts AS (
                SELECT bucket, count(DISTINCT guest_key) AS unique_guests FROM guests GROUP BY bucket
            ), device_counts AS (
                SELECT bucket, count(DISTINCT mac) AS unique_devices
                FROM (SELECT bucket, guest_device_mac AS mac FROM bucketed WHERE guest_device_mac IS NOT NULL
                      UNION ALL
                      SELECT bucket, unnest(devices) FROM rolled_bucketed) d
                GROUP BY bucket
            ), online_now AS (
                SELECT bucket, count(DISTINCT guest_key) AS guests_online_now FROM bucketed WHERE online GROUP BY bucket
            ), first_seen AS MATERIALIZED (
                -- once per guest, whatever the number of buckets and periods it appears in (MATERIALIZED:
                -- inlined, the look-up would run once per row of the join)
                SELECT q.guest_key,
                       CASE WHEN q.guest_key LIKE 'g%' THEN (
                               SELECT min(p.start_time) FROM session p
                               WHERE p.tenant_id = :tenant AND (CAST(:keyLocations AS bigint[]) IS NULL
                                                               OR p.location_id = ANY (CAST(:keyLocations AS bigint[])))
                                 AND p.guest_id = substr(q.guest_key, 2)::bigint)
                            ELSE (
                               SELECT min(p.start_time) FROM session p
                               WHERE p.tenant_id = :tenant AND (CAST(:keyLocations AS bigint[]) IS NULL
                                                               OR p.location_id = ANY (CAST(:keyLocations AS bigint[])))
                                 AND p.guest_device_mac = substr(q.guest_key, 2)::macaddr AND p.guest_id IS NULL) END AS first_start
                FROM (SELECT DISTINCT guest_key FROM guests WHERE period_start IS NOT NULL) q
            ), returners AS (
                SELECT g.bucket, count(DISTINCT g.guest_key) AS returning_guests
                FROM guests g JOIN first_seen f ON f.guest_key = g.guest_key AND f.first_start < g.period_start
                GROUP BY g.bucket
            ), presence AS (
                SELECT bucket, unnest(range_agg(online_range)) AS online_range
                FROM (SELECT bucket, guest_key, tstzrange(start_time, effective_end) AS online_range
                      FROM bucketed WHERE guest_key IS NOT NULL
                      UNION ALL
                      SELECT r.bucket, p.guest_key, tstzrange(p.online_from, p.online_to)
                      FROM rolled_bucketed r
                      CROSS JOIN LATERAL unnest(r.presence_guests, r.presence_from, r.presence_to)
                          AS p(guest_key, online_from, online_to)) ranges
                GROUP BY bucket, guest_key
            ), level AS (
                SELECT bucket, sum(delta) OVER (PARTITION BY bucket ORDER BY at, delta) AS online
                FROM (SELECT bucket, lower(online_range) AS at, 1 AS delta FROM presence
                      UNION ALL
                      SELECT bucket, upper(online_range), -1 FROM presence) AS edges
            ), peak AS (
                SELECT bucket, max(online) AS peak_guests_online FROM level GROUP BY bucket
            )
            SELECT a.bucket, a.bucket_order, a.sessions, a.total_duration_seconds, a.downloaded_bytes, a.uploaded_bytes,
                   m.median_duration_seconds,
                   COALESCE(g.unique_guests, 0) AS unique_guests, COALESCE(d.unique_devices, 0) AS unique_devices,
                   COALESCE(o.guests_online_now, 0) AS guests_online_now,
                   COALESCE(r.returning_guests, 0) AS returning_guests, COALESCE(p.peak_guests_online, 0) AS peak_guests_online
            FROM additive a
            LEFT JOIN medians m USING (bucket)
            LEFT JOIN guest_counts g USING (bucket)
            LEFT JOIN device_counts d USING (bucket)
            LEFT JOIN online_now o USING (bucket)
            LEFT JOIN returners r USING (bucket)
            LEFT JOIN peak p USING (bucket)
            ORDER BY a.bucket_order, a.bucket COLLATE "C"
            """;

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
