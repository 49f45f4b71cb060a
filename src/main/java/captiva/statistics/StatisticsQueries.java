package captiva.statistics;

/**
 * The SQL of GET /sessions/statistics, computed from the session table. The selection is the
 * statement of GET /sessions ({@code SessionQueries.Statement}, same filters, same tenant and key
 * scoping) wrapped as the CTE {@code base}; every session then goes into the bucket of the whole
 * selection ({@code ''}) and, when grouped, into its group's bucket, and each bucket is aggregated.
 * Parameters are bound in the order they appear.
 */
final class StatisticsQueries {

    /** Put before the selection statement. */
    static final String PREFIX = "WITH base AS (\n";

    /** The selection's columns; the filters follow, then {@link #TIMED}. */
    static final String BASE = """
            SELECT s.location_id, l.time_zone, s.start_time, s.last_update, s.end_time, s.guest_id, s.guest_device_mac,
                   s.input_octets, s.output_octets
            FROM session s
            JOIN location l ON l.id = s.location_id
            WHERE s.tenant_id = ?
            """;

    /**
     * A guest is a guest_id, or the device MAC of a session without one; a session with neither
     * counts as a session and no guest. Duration ends at the Stop, now while online, else at the
     * last accounting (as total_duration in GET /sessions), and never before the start. Parameters: online cutoff twice, now.
     */
    static final String TIMED = """
            ), timed AS (
                SELECT b.*,
                       CASE WHEN b.guest_id IS NOT NULL THEN 'g' || b.guest_id
                            WHEN b.guest_device_mac IS NOT NULL THEN 'm' || b.guest_device_mac::text END AS guest_key,
                       b.end_time IS NULL AND b.last_update >= CAST(? AS timestamptz) AS online,
                       -- never before the start: a NAS clock ahead of ours may start a session "after now"
                       GREATEST(b.start_time, CASE WHEN b.end_time IS NOT NULL THEN b.end_time
                                                   WHEN b.last_update >= CAST(? AS timestamptz) THEN CAST(? AS timestamptz)
                                                   ELSE b.last_update END) AS effective_end,
                       -- the instant the venue's clock showed the hour the session started in
                       b.start_time - ((b.start_time AT TIME ZONE b.time_zone)
                                       - date_trunc('hour', b.start_time AT TIME ZONE b.time_zone)) AS hour_start
                FROM base b
            ), bucketed AS (
                SELECT t.*, floor(extract(epoch FROM t.effective_end - t.start_time))::bigint AS duration_seconds,
                       k.bucket, k.bucket_order, k.period_start
                FROM timed t
                CROSS JOIN LATERAL (VALUES ('', '', CAST(? AS timestamptz))
            """;

    /**
     * The group's bucket (name, sort key, start of its period). Each takes the filter's start as
     * parameter: a group's period starts at its own start, or later when the filter says so.
     */
    static final String LOCATION_BUCKET = """
            , (t.location_id::text, lpad(t.location_id::text, 20, '0'), CAST(? AS timestamptz))
            """;
    static final String DAY_BUCKET = """
            , ((t.start_time AT TIME ZONE t.time_zone)::date::text, (t.start_time AT TIME ZONE t.time_zone)::date::text,
               GREATEST(CAST(? AS timestamptz), date_trunc('day', t.start_time AT TIME ZONE t.time_zone) AT TIME ZONE t.time_zone))
            """;
    /**
     * Named by epoch second and UTC offset in seconds, so that both 1 a.m. hours of a DST change stay
     * apart; venues whose offsets differ have groups of their own for the same instant, ordered by name.
     */
    static final String HOUR_BUCKET = """
            , (extract(epoch FROM t.hour_start)::bigint || ' '
                   || extract(epoch FROM (t.hour_start AT TIME ZONE t.time_zone) - (t.hour_start AT TIME ZONE 'UTC'))::bigint,
               lpad(extract(epoch FROM t.hour_start)::bigint::text, 20, '0'), GREATEST(CAST(? AS timestamptz), t.hour_start))
            """;

    /**
     * Per bucket: the additive figures and distinct counts; returning guests (a session of the same
     * guest at a location the key may see, started before the bucket's period: parameters tenant,
     * key locations (null for all), twice); peak guests online at once (each guest's sessions merged
     * into one set of intervals, then a sweep where an end at t comes before a start at t).
     */
    static final String AGGREGATE = """
                ) AS k(bucket, bucket_order, period_start)
            ), figures AS (
                SELECT bucket, min(bucket_order) AS bucket_order, count(*) AS sessions,
                       count(DISTINCT guest_key) AS unique_guests, count(DISTINCT guest_device_mac) AS unique_devices,
                       count(DISTINCT guest_key) FILTER (WHERE online) AS guests_online_now,
                       sum(duration_seconds) AS total_duration_seconds,
                       percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_seconds) AS median_duration_seconds,
                       sum(output_octets) AS downloaded_bytes, sum(input_octets) AS uploaded_bytes
                FROM bucketed GROUP BY bucket
            ), returners AS (
                SELECT b.bucket, count(DISTINCT b.guest_key) AS returning_guests
                FROM bucketed b
                WHERE b.period_start IS NOT NULL AND (
                      (b.guest_id IS NOT NULL AND EXISTS (
                          SELECT 1 FROM session p
                          WHERE p.tenant_id = ? AND (CAST(? AS bigint[]) IS NULL OR p.location_id = ANY (CAST(? AS bigint[])))
                            AND p.guest_id = b.guest_id AND p.start_time < b.period_start))
                   OR (b.guest_id IS NULL AND b.guest_device_mac IS NOT NULL AND EXISTS (
                          SELECT 1 FROM session p
                          WHERE p.tenant_id = ? AND (CAST(? AS bigint[]) IS NULL OR p.location_id = ANY (CAST(? AS bigint[])))
                            AND p.guest_device_mac = b.guest_device_mac AND p.guest_id IS NULL
                            AND p.start_time < b.period_start)))
                GROUP BY b.bucket
            ), presence AS (
                SELECT bucket, unnest(range_agg(tstzrange(start_time, effective_end))) AS online_range
                FROM bucketed WHERE guest_key IS NOT NULL
                GROUP BY bucket, guest_key
            ), level AS (
                SELECT bucket, sum(delta) OVER (PARTITION BY bucket ORDER BY at, delta) AS online
                FROM (SELECT bucket, lower(online_range) AS at, 1 AS delta FROM presence
                      UNION ALL
                      SELECT bucket, upper(online_range), -1 FROM presence) AS edges
            ), peak AS (
                SELECT bucket, max(online) AS peak_guests_online FROM level GROUP BY bucket
            )
            SELECT f.*, COALESCE(r.returning_guests, 0) AS returning_guests, COALESCE(p.peak_guests_online, 0) AS peak_guests_online
            FROM figures f
            LEFT JOIN returners r USING (bucket)
            LEFT JOIN peak p USING (bucket)
            ORDER BY f.bucket_order, f.bucket COLLATE "C"
            """;

    private StatisticsQueries() {
    }
}
