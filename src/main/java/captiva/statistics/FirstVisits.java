package captiva.statistics;

import captiva.statistics.VenueDayRefresher.Computed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps guest_first_visit (V70) with the rollup rows, in the refresher's transaction: for each
 * guest, at each venue, the first start among their ended sessions there and the venue-day it is
 * in. What holds after each batch, for every current row: each of its guests has an entry no later
 * than their first start in that row, and every entry is the start of a session the guest had
 * there. A query trusts an entry only when its day is not logged as changed.
 *
 * <ul>
 *   <li>A recomputed day's guests set their entry to their first start in the day when it is
 *       earlier, or when the entry was in that day (the day was recomputed: its start may have
 *       moved later; no current day before it has the guest, and days after it start later).
 *   <li>An entry in a recomputed day whose guest is gone from it is looked up again from the
 *       sessions, or removed when the guest has none left there.
 * </ul>
 */
final class FirstVisits {

    private static final String IN_DAYS =
            """
            SELECT f.tenant_id, f.location_id, f.first_day::text AS first_day, f.guest_ordinal, o.guest_key
            FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS date[])) AS u(tenant_id, location_id, day)
            JOIN guest_first_visit f ON f.tenant_id = u.tenant_id AND f.location_id = u.location_id AND f.first_day = u.day
            JOIN guest_ordinal o ON o.tenant_id = f.tenant_id AND o.ordinal = f.guest_ordinal
            """;

    private static final String LOOK_UP_AGAIN =
            """
            WITH gone AS (
                SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS bigint[]), CAST(? AS text[]))
                    AS x(tenant_id, guest_ordinal, location_id, guest_key)
            ), probed AS (
                SELECT x.tenant_id, x.guest_ordinal, x.location_id, l.time_zone,
                       CASE WHEN x.guest_key LIKE 'g%' THEN (
                               SELECT min(s.start_time) FROM session s
                               WHERE s.tenant_id = x.tenant_id AND s.location_id = x.location_id AND s.end_time IS NOT NULL
                                 AND s.guest_id = substr(x.guest_key, 2)::bigint)
                            ELSE (
                               SELECT min(s.start_time) FROM session s
                               WHERE s.tenant_id = x.tenant_id AND s.location_id = x.location_id AND s.end_time IS NOT NULL
                                 AND s.guest_id IS NULL AND s.guest_device_mac = substr(x.guest_key, 2)::macaddr) END AS first_start
                FROM gone x JOIN location l ON l.tenant_id = x.tenant_id AND l.id = x.location_id
            ), removed AS (
                DELETE FROM guest_first_visit f USING probed p
                WHERE p.first_start IS NULL AND f.tenant_id = p.tenant_id AND f.guest_ordinal = p.guest_ordinal
                  AND f.location_id = p.location_id
            )
            UPDATE guest_first_visit f
            SET first_start = p.first_start, first_day = (p.first_start AT TIME ZONE p.time_zone)::date
            FROM probed p
            WHERE p.first_start IS NOT NULL AND f.tenant_id = p.tenant_id AND f.guest_ordinal = p.guest_ordinal
              AND f.location_id = p.location_id
            """;

    private static final String SET =
            """
            INSERT INTO guest_first_visit AS f (tenant_id, guest_ordinal, location_id, first_start, first_day)
            SELECT x.tenant_id, x.guest_ordinal, x.location_id,
                   timestamptz 'epoch' + x.first_us * interval '1 microsecond', x.first_day
            FROM unnest(CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
                        CAST(? AS date[])) AS x(tenant_id, guest_ordinal, location_id, first_us, first_day)
            ON CONFLICT (tenant_id, guest_ordinal, location_id) DO UPDATE SET
                first_start = CASE WHEN f.first_day = EXCLUDED.first_day OR EXCLUDED.first_start < f.first_start
                                   THEN EXCLUDED.first_start ELSE f.first_start END,
                first_day = CASE WHEN f.first_day = EXCLUDED.first_day OR EXCLUDED.first_start < f.first_start
                                 THEN EXCLUDED.first_day ELSE f.first_day END
            """;

    private FirstVisits() {}

    /**
     * @param days every venue-day the batch recomputed, with its row or without (emptied)
     * @param ordinals the guests' numbers, by tenant, covering every guest of the days' rows
     */
    static void update(
            Connection connection, List<Computed> days, Map<Long, Map<String, Integer>> ordinals)
            throws SQLException {
        if (days.isEmpty()) {
            return;
        }
        // The guests each recomputed day has now.
        Map<String, Set<Integer>> present = new HashMap<>();
        for (Computed day : days) {
            Set<Integer> guests = new HashSet<>();
            Map<String, Integer> numbers = ordinals.getOrDefault(day.tenantId(), Map.of());
            for (String key : day.firstGuests()) {
                guests.add(numbers.get(key));
            }
            present.put(unit(day.tenantId(), day.locationId(), day.day().toString()), guests);
        }

        // Entries in those days whose guest is gone from the day: looked up again.
        List<Long> goneTenants = new ArrayList<>();
        List<Integer> goneOrdinals = new ArrayList<>();
        List<Long> goneLocations = new ArrayList<>();
        List<String> goneKeys = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(IN_DAYS)) {
            st.setArray(
                    1,
                    connection.createArrayOf(
                            "bigint", days.stream().map(Computed::tenantId).toArray()));
            st.setArray(
                    2,
                    connection.createArrayOf(
                            "bigint", days.stream().map(Computed::locationId).toArray()));
            st.setArray(
                    3,
                    connection.createArrayOf(
                            "text", days.stream().map(d -> d.day().toString()).toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long tenant = rs.getLong("tenant_id");
                    long location = rs.getLong("location_id");
                    int ordinal = rs.getInt("guest_ordinal");
                    Set<Integer> now =
                            present.getOrDefault(
                                    unit(tenant, location, rs.getString("first_day")), Set.of());
                    if (!now.contains(ordinal)) {
                        goneTenants.add(tenant);
                        goneOrdinals.add(ordinal);
                        goneLocations.add(location);
                        goneKeys.add(rs.getString("guest_key"));
                    }
                }
            }
        }
        if (!goneTenants.isEmpty()) {
            try (PreparedStatement st = connection.prepareStatement(LOOK_UP_AGAIN)) {
                st.setArray(1, connection.createArrayOf("bigint", goneTenants.toArray()));
                st.setArray(2, connection.createArrayOf("integer", goneOrdinals.toArray()));
                st.setArray(3, connection.createArrayOf("bigint", goneLocations.toArray()));
                st.setArray(4, connection.createArrayOf("text", goneKeys.toArray()));
                st.executeUpdate();
            }
        }

        // The days' guests: their first start in the day, the earliest day's where a guest is in
        // several (one statement may set an entry once).
        Map<String, Object[]> earliest = new HashMap<>();
        for (Computed day : days) {
            Map<String, Integer> numbers = ordinals.getOrDefault(day.tenantId(), Map.of());
            for (int i = 0; i < day.firstGuests().length; i++) {
                Object[] entry = {
                    day.tenantId(),
                    numbers.get(day.firstGuests()[i]),
                    day.locationId(),
                    day.firstStarts()[i],
                    day.day().toString()
                };
                earliest.merge(
                        entry[0] + "/" + entry[1] + "/" + entry[2],
                        entry,
                        (a, b) -> (long) a[3] <= (long) b[3] ? a : b);
            }
        }
        if (earliest.isEmpty()) {
            return;
        }
        List<Object[]> entries = new ArrayList<>(earliest.values());
        try (PreparedStatement st = connection.prepareStatement(SET)) {
            for (int column = 0; column < 5; column++) {
                int c = column;
                st.setArray(
                        column + 1,
                        connection.createArrayOf(
                                new String[] {"bigint", "integer", "bigint", "bigint", "text"}[c],
                                entries.stream().map(e -> e[c]).toArray()));
            }
            st.executeUpdate();
        }
    }

    private static String unit(long tenant, long location, String day) {
        return tenant + "/" + location + "/" + day;
    }
}
