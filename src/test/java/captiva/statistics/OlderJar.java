package captiva.statistics;

import captiva.common.sql.Statement;
import captiva.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * Older jars during a rolling upgrade, as far as the rollups are concerned: a jar older than V70,
 * whose refresher takes logged venue-days like the current one and writes their rows' V9 columns
 * only; and a jar older than V75, which writes first visits but not the earliest visits.
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

    /**
     * The first-visit statement of a jar older than V75 (main at f07a4c4, FirstVisits.SET, copied
     * as it was), which still runs during a rolling upgrade: it writes entries and knows nothing of
     * guest_earliest_visit.
     */
    private static final String SET_FIRST_VISITS =
            """
            INSERT INTO guest_first_visit AS f (tenant_id, guest_ordinal, location_id, first_start, first_day)
            SELECT :tenant, x.guest_ordinal, x.location_id,
                   timestamptz 'epoch' + x.first_us * interval '1 microsecond', x.first_day
            FROM unnest(CAST(:ordinals AS int[]), CAST(:locations AS bigint[]), CAST(:firstUs AS bigint[]),
                        CAST(:days AS date[])) AS x(guest_ordinal, location_id, first_us, first_day)
            ON CONFLICT (tenant_id, guest_ordinal, location_id) DO UPDATE SET
                first_start = EXCLUDED.first_start, first_day = EXCLUDED.first_day
            WHERE (f.first_day = EXCLUDED.first_day OR EXCLUDED.first_start < f.first_start)
              AND (f.first_start, f.first_day) IS DISTINCT FROM (EXCLUDED.first_start, EXCLUDED.first_day)
            """;

    /** The same jar's venue rezone, which removes the venue's entries (VenueRezone at f07a4c4). */
    private static final String FORGET_FIRST_VISITS =
            "DELETE FROM guest_first_visit WHERE tenant_id = :tenant AND location_id = :location";

    /**
     * check_violation (the compact forms' hash; V75's kept first start), foreign_key_violation (a
     * day's first visits; an earliest visit's entry).
     */
    private static final Set<String> REFUSED = Set.of("23514", "23503");

    private OlderJar() {}

    /**
     * A jar older than V75 sets a guest's entry at a venue, as its refresher does for a day it
     * recomputed; answers the SQLState of the refusal, or null when the database took it.
     */
    static String setFirstVisit(long tenant, int guest, long location, Instant start, LocalDate day)
            throws SQLException {
        return refusal(
                new Statement(SET_FIRST_VISITS)
                        .bind("tenant", tenant)
                        .bind("ordinals", new int[] {guest})
                        .bind("locations", new Long[] {location})
                        .bind(
                                "firstUs",
                                new Long[] {ChronoUnit.MICROS.between(Instant.EPOCH, start)})
                        .bind("days", new String[] {day.toString()}));
    }

    /** A jar older than V75 changes a venue's time zone, removing its entries; as above. */
    static String forgetFirstVisits(long tenant, long location) throws SQLException {
        return refusal(
                new Statement(FORGET_FIRST_VISITS)
                        .bind("tenant", tenant)
                        .bind("location", location));
    }

    private static String refusal(Statement statement) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st = statement.prepare(c)) {
            st.executeUpdate();
            return null;
        } catch (SQLException e) {
            if (REFUSED.contains(e.getSQLState())) {
                return e.getSQLState();
            }
            throw e;
        }
    }

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
