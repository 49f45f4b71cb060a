package captiva.statistics;

import captiva.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Set;

/**
 * A jar older than V70 during a rolling upgrade, as far as the rollups are concerned: its
 * refresher, which takes logged venue-days like the current one and writes their rows' V9 columns
 * only.
 */
final class OlderJar {

    /**
     * The refresh statement of a jar older than V70 (main at 3a0d8d8, VenueDayRefresher.REFRESH,
     * copied as it was), which still runs during a rolling upgrade: it rewrites a row's V9 columns
     * and knows nothing of the compact ones.
     */
    private static final String REFRESH =
            """
            WITH oldest AS (
                SELECT tenant_id, location_id, day FROM venue_day_dirty ORDER BY id LIMIT ?
            ), taken AS (
                -- every entry of the venue-days picked, not only those among the oldest: a busy day
                -- logged by many statements is recomputed once, not once per batch of entries
                DELETE FROM venue_day_dirty d
                USING (SELECT DISTINCT tenant_id, location_id, day FROM oldest) p
                WHERE d.tenant_id = p.tenant_id AND d.location_id = p.location_id AND d.day = p.day
                RETURNING d.tenant_id, d.location_id, d.day
            ), units AS (
                SELECT DISTINCT t.tenant_id, t.location_id, t.day, l.time_zone
                FROM taken t JOIN location l ON l.id = t.location_id
            ), ended AS (
                SELECT u.tenant_id, u.location_id, u.day, s.start_time, s.end_time, s.input_octets, s.output_octets,
                       s.guest_device_mac, %2$s AS guest_key,
                       floor(extract(epoch FROM s.end_time - s.start_time))::bigint AS duration_seconds
                FROM units u
                JOIN session s ON s.tenant_id = u.tenant_id AND s.location_id = u.location_id
                     AND %1$s
                WHERE s.end_time IS NOT NULL
            ), presence AS (
                SELECT tenant_id, location_id, day, array_agg(guest_key) AS guests,
                       array_agg(lower(online_range)) AS froms, array_agg(upper(online_range)) AS tos
                FROM (SELECT tenant_id, location_id, day, guest_key,
                             unnest(range_agg(tstzrange(start_time, end_time))) AS online_range
                      FROM ended WHERE guest_key IS NOT NULL
                      GROUP BY tenant_id, location_id, day, guest_key) merged
                GROUP BY tenant_id, location_id, day
            ), computed AS (
                SELECT tenant_id, location_id, day, count(*) AS sessions, sum(duration_seconds) AS total_duration_seconds,
                       sum(output_octets) AS downloaded_bytes, sum(input_octets) AS uploaded_bytes,
                       min(start_time) AS first_start, max(start_time) AS last_start, max(end_time) AS last_end,
                       array_agg(duration_seconds ORDER BY duration_seconds) AS durations,
                       COALESCE(array_agg(DISTINCT guest_key) FILTER (WHERE guest_key IS NOT NULL), '{}') AS guests,
                       COALESCE(array_agg(DISTINCT guest_device_mac) FILTER (WHERE guest_device_mac IS NOT NULL), '{}') AS devices
                FROM ended GROUP BY tenant_id, location_id, day
            ), emptied AS (
                DELETE FROM venue_day v USING units u
                WHERE v.tenant_id = u.tenant_id AND v.location_id = u.location_id AND v.day = u.day
                  AND NOT EXISTS (SELECT 1 FROM computed c
                                  WHERE c.tenant_id = u.tenant_id AND c.location_id = u.location_id AND c.day = u.day)
            ), stored AS (
                INSERT INTO venue_day (tenant_id, location_id, day, sessions, total_duration_seconds, downloaded_bytes,
                                       uploaded_bytes, first_start, last_start, last_end, durations, guests, devices,
                                       presence_guests, presence_from, presence_to)
                SELECT c.*, COALESCE(p.guests, '{}'), COALESCE(p.froms, '{}'), COALESCE(p.tos, '{}')
                FROM computed c LEFT JOIN presence p USING (tenant_id, location_id, day)
                ON CONFLICT (tenant_id, location_id, day) DO UPDATE SET
                    sessions = EXCLUDED.sessions, total_duration_seconds = EXCLUDED.total_duration_seconds,
                    downloaded_bytes = EXCLUDED.downloaded_bytes, uploaded_bytes = EXCLUDED.uploaded_bytes,
                    first_start = EXCLUDED.first_start, last_start = EXCLUDED.last_start, last_end = EXCLUDED.last_end,
                    durations = EXCLUDED.durations, guests = EXCLUDED.guests, devices = EXCLUDED.devices,
                    presence_guests = EXCLUDED.presence_guests, presence_from = EXCLUDED.presence_from,
                    presence_to = EXCLUDED.presence_to
            )
            SELECT (SELECT count(*) FROM oldest) AS oldest, (SELECT count(*) FROM units) AS days
            """
                    .formatted(
                            StatisticsQueries.sessionOfVenueDay("s", "u.day", "u.time_zone"),
                            StatisticsQueries.guestKey("s"));

    /** check_violation (the compact forms' hash), foreign_key_violation (a day's first visits). */
    private static final Set<String> REFUSED = Set.of("23514", "23503");

    private OlderJar() {}

    /**
     * One batch of the older refresher, as its scheduled run does; answers whether the database
     * took it. It refuses (V72) a batch that would leave compact forms under other contents, or
     * delete a row that first visits name: the older jar logs a warning and its entries stay.
     */
    static boolean refresh() throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st = c.prepareStatement(REFRESH)) {
            st.setInt(1, VenueDayRefresher.BATCH);
            st.execute();
            return true;
        } catch (SQLException e) {
            if (REFUSED.contains(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }
}
