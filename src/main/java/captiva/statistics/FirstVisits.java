package captiva.statistics;

import captiva.common.sql.Statement;
import captiva.statistics.VenueDayRefresher.Computed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 *
 * Each guest whose entries a batch wrote then has their row of guest_earliest_visit (V76) set to
 * their earliest entry ({@link #keepEarliest}), which is all that a key seeing every venue reads.
 * Every writer of entries is here and does so in its own transaction: also an erasure or retention
 * ({@link #forgetGuests}) and a venue's new time zone ({@link #forgetVenue}).
 */
final class FirstVisits {

    private static final String IN_DAYS =
            """
            SELECT f.location_id, f.first_day::text AS first_day, f.guest_ordinal, o.guest_key
            FROM unnest(CAST(:locations AS bigint[]), CAST(:days AS date[])) AS u(location_id, day)
            JOIN guest_first_visit f ON f.tenant_id = :tenant AND f.location_id = u.location_id AND f.first_day = u.day
            JOIN guest_ordinal o ON o.tenant_id = :tenant AND o.ordinal = f.guest_ordinal
            """;

    private static final String LOOK_UP_AGAIN =
            """
            WITH gone AS (
                SELECT * FROM unnest(CAST(:ordinals AS int[]), CAST(:locations AS bigint[]), CAST(:keys AS text[]))
                    AS x(guest_ordinal, location_id, guest_key)
            ), probed AS (
                SELECT x.guest_ordinal, x.location_id, l.time_zone,
                       CASE WHEN x.guest_key LIKE 'g%' THEN (
                               SELECT min(s.start_time) FROM session s
                               WHERE s.tenant_id = :tenant AND s.location_id = x.location_id AND s.end_time IS NOT NULL
                                 AND s.guest_id = substr(x.guest_key, 2)::bigint)
                            ELSE (
                               SELECT min(s.start_time) FROM session s
                               WHERE s.tenant_id = :tenant AND s.location_id = x.location_id AND s.end_time IS NOT NULL
                                 AND s.guest_id IS NULL AND s.guest_device_mac = substr(x.guest_key, 2)::macaddr) END AS first_start
                FROM gone x JOIN location l ON l.tenant_id = :tenant AND l.id = x.location_id
            ), removed AS (
                DELETE FROM guest_first_visit f USING probed p
                WHERE p.first_start IS NULL AND f.tenant_id = :tenant AND f.guest_ordinal = p.guest_ordinal
                  AND f.location_id = p.location_id
                RETURNING f.guest_ordinal
            ), moved AS (
                UPDATE guest_first_visit f
                SET first_start = p.first_start, kept_first_start = p.first_start,
                    first_day = (p.first_start AT TIME ZONE p.time_zone)::date
                FROM probed p
                WHERE p.first_start IS NOT NULL AND f.tenant_id = :tenant AND f.guest_ordinal = p.guest_ordinal
                  AND f.location_id = p.location_id
                RETURNING f.guest_ordinal
            )
            SELECT guest_ordinal FROM removed UNION ALL SELECT guest_ordinal FROM moved
            """;

    /**
     * Sets the days' guests' entries by the rules above. An entry that would not change is not
     * written: each refresh of a day sets all of its guests' entries, nearly all as they were, and
     * writing them anyway made a new row version with four index entries each (a busy day's
     * refresh: 436 ms and 282,000 buffers for this statement alone). Returns the guests whose entry
     * was written.
     */
    private static final String SET =
            """
            INSERT INTO guest_first_visit AS f (tenant_id, guest_ordinal, location_id, first_start, kept_first_start, first_day)
            SELECT :tenant, x.guest_ordinal, x.location_id, x.first_start, x.first_start, x.first_day
            FROM (SELECT u.guest_ordinal, u.location_id, u.first_day,
                         timestamptz 'epoch' + u.first_us * interval '1 microsecond' AS first_start
                  FROM unnest(CAST(:ordinals AS int[]), CAST(:locations AS bigint[]), CAST(:firstUs AS bigint[]),
                              CAST(:days AS date[])) AS u(guest_ordinal, location_id, first_us, first_day)) x
            ON CONFLICT (tenant_id, guest_ordinal, location_id) DO UPDATE SET
                first_start = EXCLUDED.first_start, kept_first_start = EXCLUDED.first_start, first_day = EXCLUDED.first_day
            WHERE (f.first_day = EXCLUDED.first_day OR EXCLUDED.first_start < f.first_start)
              AND (f.first_start, f.first_day) IS DISTINCT FROM (EXCLUDED.first_start, EXCLUDED.first_day)
            RETURNING f.guest_ordinal
            """;

    /**
     * Sets the guests' rows of guest_earliest_visit (V76) to their earliest entry, or removes them
     * when a guest has none left; a row that would not change is not written. Ties go to the lower
     * venue id, so that a row depends on the entries alone.
     */
    private static final String KEEP_EARLIEST =
            """
            WITH wanted AS (
                SELECT DISTINCT w.guest_ordinal FROM unnest(CAST(:ordinals AS int[])) AS w(guest_ordinal)
            ), earliest AS (
                SELECT DISTINCT ON (f.guest_ordinal) f.guest_ordinal, f.location_id, f.first_start, f.first_day
                FROM wanted w JOIN guest_first_visit f ON f.tenant_id = :tenant AND f.guest_ordinal = w.guest_ordinal
                ORDER BY f.guest_ordinal, f.first_start, f.location_id
            ), removed AS (
                DELETE FROM guest_earliest_visit e USING wanted w
                WHERE e.tenant_id = :tenant AND e.guest_ordinal = w.guest_ordinal
                  AND NOT EXISTS (SELECT 1 FROM earliest x WHERE x.guest_ordinal = w.guest_ordinal)
            )
            INSERT INTO guest_earliest_visit AS e (tenant_id, guest_ordinal, location_id, first_start, first_day)
            SELECT :tenant, x.guest_ordinal, x.location_id, x.first_start, x.first_day FROM earliest x
            ON CONFLICT (tenant_id, guest_ordinal) DO UPDATE SET
                location_id = EXCLUDED.location_id, first_start = EXCLUDED.first_start, first_day = EXCLUDED.first_day
            WHERE (e.location_id, e.first_start, e.first_day)
                  IS DISTINCT FROM (EXCLUDED.location_id, EXCLUDED.first_start, EXCLUDED.first_day)
            """;

    /** The entries of guests whose numbers are forgotten. */
    private static final String FORGET_GUESTS =
            """
            DELETE FROM guest_first_visit WHERE tenant_id = :tenant AND guest_ordinal = ANY (CAST(:ordinals AS int[]))
            RETURNING guest_ordinal
            """;

    /** A venue's entries, returning their guests. */
    private static final String FORGET_VENUE =
            """
            DELETE FROM guest_first_visit WHERE tenant_id = :tenant AND location_id = :location
            RETURNING guest_ordinal
            """;

    private FirstVisits() {}

    /**
     * Removes the entries, and earliest visits, of guests whose numbers an erasure or retention
     * forgot, in its transaction.
     */
    static void forgetGuests(Connection connection, long tenant, List<Integer> ordinals)
            throws SQLException {
        if (ordinals.isEmpty()) {
            return;
        }
        Statement forget =
                new Statement(FORGET_GUESTS)
                        .bind("tenant", tenant)
                        .bind("ordinals", ordinals.stream().mapToInt(Integer::intValue).toArray());
        keepEarliest(connection, tenant, ordinals(forget, connection));
    }

    /**
     * Removes a venue's entries, in the caller's transaction; its guests' earliest visits move to
     * their next venue's entry until the refresher has rebuilt the venue's.
     */
    static void forgetVenue(Connection connection, long tenant, long location) throws SQLException {
        Statement forget =
                new Statement(FORGET_VENUE).bind("tenant", tenant).bind("location", location);
        keepEarliest(connection, tenant, ordinals(forget, connection));
    }

    /**
     * @param days every venue-day the batch recomputed, with its row or without (emptied)
     * @param ordinals the guests' numbers, by tenant, covering every guest of the days' rows
     */
    static void update(
            Connection connection, List<Computed> days, Map<Long, Map<String, Integer>> ordinals)
            throws SQLException {
        // Tenant by tenant, each statement naming its tenant on every table: on Citus that keeps
        // it on the tenant's shards, where it is planned as on one PostgreSQL.
        Map<Long, List<Computed>> byTenant = new LinkedHashMap<>();
        for (Computed day : days) {
            byTenant.computeIfAbsent(day.tenantId(), t -> new ArrayList<>()).add(day);
        }
        for (var tenant : byTenant.entrySet()) {
            update(
                    connection,
                    tenant.getKey(),
                    tenant.getValue(),
                    ordinals.getOrDefault(tenant.getKey(), Map.of()));
        }
    }

    private static void update(
            Connection connection, long tenant, List<Computed> days, Map<String, Integer> numbers)
            throws SQLException {
        // The guests each recomputed day has now.
        Map<String, Set<Integer>> present = new HashMap<>();
        for (Computed day : days) {
            Set<Integer> guests = new HashSet<>();
            for (String key : day.firstGuests()) {
                guests.add(numbers.get(key));
            }
            present.put(unit(day.locationId(), day.day().toString()), guests);
        }

        // The guests whose entries this batch writes, for guest_earliest_visit.
        Set<Integer> changed = new HashSet<>();

        // Entries in those days whose guest is gone from the day: looked up again.
        List<Integer> goneOrdinals = new ArrayList<>();
        List<Long> goneLocations = new ArrayList<>();
        List<String> goneKeys = new ArrayList<>();
        Statement inDays =
                new Statement(IN_DAYS)
                        .bind("tenant", tenant)
                        .bind(
                                "locations",
                                days.stream().map(Computed::locationId).toArray(Long[]::new))
                        .bind(
                                "days",
                                days.stream().map(d -> d.day().toString()).toArray(String[]::new));
        try (PreparedStatement st = inDays.prepare(connection);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                long location = rs.getLong("location_id");
                int ordinal = rs.getInt("guest_ordinal");
                Set<Integer> now =
                        present.getOrDefault(unit(location, rs.getString("first_day")), Set.of());
                if (!now.contains(ordinal)) {
                    goneOrdinals.add(ordinal);
                    goneLocations.add(location);
                    goneKeys.add(rs.getString("guest_key"));
                }
            }
        }
        if (!goneOrdinals.isEmpty()) {
            Statement lookUpAgain =
                    new Statement(LOOK_UP_AGAIN)
                            .bind("tenant", tenant)
                            .bind(
                                    "ordinals",
                                    goneOrdinals.stream().mapToInt(Integer::intValue).toArray())
                            .bind("locations", goneLocations.toArray(Long[]::new))
                            .bind("keys", goneKeys.toArray(String[]::new));
            changed.addAll(ordinals(lookUpAgain, connection));
        }

        // The days' guests: their first start in the day, the earliest day's where a guest is in
        // several (one statement may set an entry once).
        record Entry(int ordinal, long location, long firstUs, String day) {}
        Map<String, Entry> earliest = new HashMap<>();
        for (Computed day : days) {
            for (int i = 0; i < day.firstGuests().length; i++) {
                Entry entry =
                        new Entry(
                                numbers.get(day.firstGuests()[i]),
                                day.locationId(),
                                day.firstStarts()[i],
                                day.day().toString());
                earliest.merge(
                        entry.ordinal() + "/" + entry.location(),
                        entry,
                        (a, b) -> a.firstUs() <= b.firstUs() ? a : b);
            }
        }
        if (!earliest.isEmpty()) {
            List<Entry> entries = new ArrayList<>(earliest.values());
            Statement set =
                    new Statement(SET)
                            .bind("tenant", tenant)
                            .bind("ordinals", entries.stream().mapToInt(Entry::ordinal).toArray())
                            .bind(
                                    "locations",
                                    entries.stream().map(Entry::location).toArray(Long[]::new))
                            .bind(
                                    "firstUs",
                                    entries.stream().map(Entry::firstUs).toArray(Long[]::new))
                            .bind("days", entries.stream().map(Entry::day).toArray(String[]::new));
            changed.addAll(ordinals(set, connection));
        }
        keepEarliest(connection, tenant, changed);
    }

    /**
     * Keeps the guests' rows of guest_earliest_visit true to their entries, in the caller's
     * transaction, after it changed or removed those entries.
     *
     * <p>Holding the tenant's turn ({@link Ordinals#takeTurn}) until commit, so that the statement
     * sees the entries of every writer that changed them before: a row computed while another
     * writer's entries were not yet committed would overwrite that writer's row with a stale one (a
     * venue rezone beside the refresher, say). The one that commits last computes last.
     */
    private static void keepEarliest(
            Connection connection, long tenant, Collection<Integer> ordinals) throws SQLException {
        if (ordinals.isEmpty()) {
            return;
        }
        Ordinals.takeTurn(connection, tenant);
        Statement keep =
                new Statement(KEEP_EARLIEST)
                        .bind("tenant", tenant)
                        .bind("ordinals", ordinals.stream().mapToInt(Integer::intValue).toArray());
        try (PreparedStatement st = keep.prepare(connection)) {
            st.executeUpdate();
        }
    }

    /** Runs a statement that returns guest ordinals, and returns them. */
    private static List<Integer> ordinals(Statement statement, Connection connection)
            throws SQLException {
        List<Integer> ordinals = new ArrayList<>();
        try (PreparedStatement st = statement.prepare(connection);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                ordinals.add(rs.getInt(1));
            }
        }
        return ordinals;
    }

    private static String unit(long location, String day) {
        return location + "/" + day;
    }
}
