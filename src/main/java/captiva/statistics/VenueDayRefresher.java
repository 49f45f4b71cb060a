package captiva.statistics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.data.jdbc.runtime.ConnectionCallback;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the venue-day rollups (V9__venue_day_rollups.sql) up to date: recomputes, from the
 * sessions, the venue-days that writers logged in venue_day_dirty. Each batch is one statement, so
 * the log entries it removes and the sessions it reads come from the same snapshot; in the same
 * transaction the rows then get their compact forms ({@link Summaries}, V70) from what that
 * statement computed, numbering new guests and devices ({@link Ordinals}). At the end of a turn the
 * months of the days it changed are built again from their rows ({@link VenueMonths}, V78). One
 * replica refreshes at a time (an advisory lock); the others skip their turn.
 */
@Singleton
public class VenueDayRefresher {

    private static final Logger LOG = LoggerFactory.getLogger(VenueDayRefresher.class);

    /**
     * Venue-days per transaction are those of the oldest this many log entries: a busy venue's day
     * is a few thousand sessions, so a batch stays short.
     */
    static final int BATCH = 200;

    /**
     * The last entry logged when a turn begins: the turn refreshes the entries up to it and leaves
     * those logged meanwhile to the next turn. Otherwise, under steady ingest, writers log a
     * batch's worth of entries while a busy day is recomputed, and the turn recomputes that day
     * again and again, back to back, taking the CPU the writers need (BENCHMARKS.md).
     */
    private static final String LAST_ENTRY = "SELECT max(id) FROM venue_day_dirty";

    /** pg_try_advisory_xact_lock(1447313753 'VDAY', 0): the refreshers' turn. */
    private static final String TAKE_TURN = "SELECT pg_try_advisory_xact_lock(1447313753, 0)";

    private static final String REFRESH =
            """
            WITH oldest AS (
                SELECT tenant_id, location_id, day FROM venue_day_dirty WHERE id <= ? ORDER BY id LIMIT ?
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
                       array_agg(lower(online_range)) AS froms, array_agg(upper(online_range)) AS tos,
                       array_agg((extract(epoch FROM lower(online_range)) * 1000000)::bigint) AS from_us,
                       array_agg((extract(epoch FROM upper(online_range)) * 1000000)::bigint) AS to_us
                FROM (SELECT tenant_id, location_id, day, guest_key,
                             unnest(range_agg(tstzrange(start_time, end_time))) AS online_range
                      FROM ended WHERE guest_key IS NOT NULL
                      GROUP BY tenant_id, location_id, day, guest_key) merged
                GROUP BY tenant_id, location_id, day
            ), firsts AS (
                -- each guest's first start in the day, for guest_first_visit
                SELECT tenant_id, location_id, day, array_agg(guest_key) AS first_guests, array_agg(first_us) AS first_us
                FROM (SELECT tenant_id, location_id, day, guest_key,
                             (extract(epoch FROM min(start_time)) * 1000000)::bigint AS first_us
                      FROM ended WHERE guest_key IS NOT NULL
                      GROUP BY tenant_id, location_id, day, guest_key) g
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
                    presence_to = EXCLUDED.presence_to,
                    -- written by the refresher in the same transaction (COMPACT), from the rows below
                    guest_ordinals = NULL, device_ordinals = NULL, duration_counts = NULL, presence = NULL,
                    compact_hash = NULL
            )
            -- one row however many days, then each day recomputed (with its row, unless emptied) for the
            -- compact forms and the first visits
            SELECT o.n AS oldest, (SELECT count(*) FROM units) AS days,
                   u.tenant_id, u.location_id, u.day, c.tenant_id IS NOT NULL AS has_row,
                   c.durations, c.guests, c.devices::text[] AS devices,
                   p.guests AS presence_guests, p.from_us, p.to_us, f.first_guests, f.first_us
            FROM (SELECT count(*) AS n FROM oldest) o
            LEFT JOIN (units u LEFT JOIN computed c USING (tenant_id, location_id, day)
                               LEFT JOIN presence p USING (tenant_id, location_id, day)
                               LEFT JOIN firsts f USING (tenant_id, location_id, day)) ON true
            """
                    .formatted(
                            StatisticsQueries.sessionOfVenueDay("s", "u.day", "u.time_zone"),
                            StatisticsQueries.guestKey("s"));

    /**
     * Rows without compact forms (V72, V73): written before V70, or inserted by a jar older than
     * V70 during a rolling upgrade. Queries read their sessions meanwhile; logged here, they are
     * rebuilt like any changed day. Finds them in venue_day_without_compact_forms_idx, which holds
     * only them.
     */
    private static final String LOG_WITHOUT_COMPACT_FORMS =
            """
            INSERT INTO venue_day_dirty (tenant_id, location_id, day)
            SELECT v.tenant_id, v.location_id, v.day FROM venue_day v
            WHERE v.compact_hash IS NULL
              AND NOT EXISTS (SELECT 1 FROM venue_day_dirty d
                              WHERE d.tenant_id = v.tenant_id AND d.location_id = v.location_id AND d.day = v.day)
            """;

    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final Counter refreshedDays;

    /**
     * The first open month (see {@link VenueMonths#firstOpenMonth}) for which every ended month has
     * been built; null until the first turn that finished that work.
     */
    private volatile LocalDate monthsBuiltBefore;

    VenueDayRefresher(
            JdbcOperations jdbc,
            TransactionOperations<Connection> transactions,
            Clock clock,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.refreshedDays =
                Counter.builder("captiva.statistics.rollup.refreshed")
                        .description("Venue-days recomputed for the statistics rollups")
                        .register(meters);
    }

    @Scheduled(
            fixedDelay = "${captiva.statistics.rollup-interval}",
            initialDelay = "${captiva.statistics.rollup-interval}")
    void run() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("Refreshing the statistics rollups failed; will try again: {}", e.toString());
        }
    }

    /**
     * Recomputes every venue-day logged before the call, in batches; returns how many venue-days.
     * Stops early, returning what it did, when another replica holds the turn.
     */
    public long refresh() {
        logRowsWithoutCompactForms();
        Long lastEntry = lastEntry();
        long days = lastEntry == null ? 0 : refreshUpTo(lastEntry);
        LocalDate firstOpenMonth = VenueMonths.firstOpenMonth(clock);
        if (buildChangedMonths(firstOpenMonth)
                && !firstOpenMonth.equals(monthsBuiltBefore)
                && buildStaleMonths(firstOpenMonth)) {
            monthsBuiltBefore = firstOpenMonth;
        }
        return days;
    }

    /**
     * Months with a day that a refresh of this replica changed, to be built again at the end of the
     * turn. Until then a query does not take their rows (they were built from other days), and
     * reads their days; if this replica stops first, the next one to start finds them ({@link
     * #buildStaleMonths}).
     */
    private final Set<VenueMonths.Month> monthsToBuild = ConcurrentHashMap.newKeySet();

    /** Months built by one transaction: a busy venue's month is some thirty rows. */
    static final int MONTHS_PER_BATCH = 200;

    /**
     * Builds again the months in {@link #monthsToBuild}, in batches; returns false, leaving the
     * rest to a later turn, when another replica holds the turn.
     */
    private boolean buildChangedMonths(LocalDate firstOpenMonth) {
        while (!monthsToBuild.isEmpty()) {
            List<VenueMonths.Month> batch = monthsToBuild.stream().limit(MONTHS_PER_BATCH).toList();
            Boolean built =
                    inOurTurn(
                            connection -> {
                                VenueMonths.rebuild(connection, batch, firstOpenMonth);
                                return true;
                            });
            if (built == null) {
                return false;
            }
            batch.forEach(monthsToBuild::remove);
        }
        return true;
    }

    /**
     * Builds the month rows that ended months lack or hold from other rows, and removes those
     * without days, in batches: on the first turn of this replica (after an upgrade to V78, all of
     * them; after a rolling upgrade, those an older jar's refresh left behind) and on the first
     * turn of each month (the month that ended, unless a change of one of its days built it
     * already). Returns false, leaving the rest to a later turn, when another replica holds the
     * turn.
     */
    boolean buildStaleMonths(LocalDate firstOpenMonth) {
        while (true) {
            Integer built =
                    inOurTurn(
                            connection -> {
                                Set<VenueMonths.Month> stale =
                                        VenueMonths.stale(
                                                connection, firstOpenMonth, MONTHS_PER_BATCH);
                                VenueMonths.rebuild(connection, stale, firstOpenMonth);
                                return stale.size();
                            });
            if (built == null) {
                return false;
            }
            if (built < MONTHS_PER_BATCH) {
                return true;
            }
        }
    }

    /** The last entry of the log, or null when it is empty. */
    private Long lastEntry() {
        return transactions.executeRead(
                status ->
                        jdbc.prepareStatement(
                                LAST_ENTRY,
                                st -> {
                                    try (ResultSet rs = st.executeQuery()) {
                                        rs.next();
                                        return rs.getObject(1, Long.class);
                                    }
                                }));
    }

    /** Recomputes the venue-days of the log entries up to {@code lastEntry}, in batches. */
    long refreshUpTo(long lastEntry) {
        long days = 0;
        Batch batch;
        do {
            batch = refreshBatch(lastEntry);
            days += batch.days();
        } while (batch.oldest() == BATCH);
        return days;
    }

    /**
     * @param oldest log entries among the oldest read (fewer than {@link #BATCH}: the log was
     *     emptied)
     */
    private record Batch(long oldest, long days) {}

    /**
     * One batch in the caller's transaction: the rows are recomputed by one statement, then given
     * their compact forms from what it computed, before the transaction commits.
     */
    private Batch recompute(Connection connection, long lastEntry) throws SQLException {
        long oldest = 0;
        long days = 0;
        List<Computed> computed = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(REFRESH)) {
            st.setLong(1, lastEntry);
            st.setInt(2, BATCH);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    oldest = rs.getLong("oldest");
                    days = rs.getLong("days");
                    if (rs.getObject("tenant_id") != null) {
                        computed.add(Computed.read(rs));
                    }
                }
            }
        }
        Map<Long, Map<String, Integer>> guestOrdinals =
                storeCompact(connection, computed.stream().filter(Computed::hasRow).toList());
        FirstVisits.update(connection, computed, guestOrdinals);
        // built once at the end of the turn, however many of its batches changed a day of it
        computed.forEach(
                c ->
                        monthsToBuild.add(
                                VenueMonths.Month.of(c.tenantId(), c.locationId(), c.day())));
        return new Batch(oldest, days);
    }

    /** What the refresh statement computed for one venue-day, read back for the compact forms. */
    record Computed(
            long tenantId,
            long locationId,
            LocalDate day,
            boolean hasRow,
            long[] durations,
            String[] guests,
            String[] devices,
            String[] presenceGuests,
            long[] presenceFrom,
            long[] presenceTo,
            String[] firstGuests,
            long[] firstStarts) {

        static Computed read(ResultSet rs) throws SQLException {
            return new Computed(
                    rs.getLong("tenant_id"),
                    rs.getLong("location_id"),
                    rs.getObject("day", LocalDate.class),
                    rs.getBoolean("has_row"),
                    longs(rs.getArray("durations")),
                    strings(rs.getArray("guests")),
                    strings(rs.getArray("devices")),
                    strings(rs.getArray("presence_guests")),
                    longs(rs.getArray("from_us")),
                    longs(rs.getArray("to_us")),
                    strings(rs.getArray("first_guests")),
                    longs(rs.getArray("first_us")));
        }

        private static long[] longs(Array array) throws SQLException {
            if (array == null) {
                return new long[0];
            }
            Object[] values = (Object[]) array.getArray();
            long[] out = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = ((Number) values[i]).longValue();
            }
            return out;
        }

        private static String[] strings(Array array) throws SQLException {
            if (array == null) {
                return new String[0];
            }
            Object[] values = (Object[]) array.getArray();
            String[] out = new String[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = (String) values[i];
            }
            return out;
        }
    }

    private static final String COMPACT =
            """
            UPDATE venue_day SET guest_ordinals = ?, device_ordinals = ?, duration_counts = ?, presence = ?,
                                 -- the contents the compact forms were made from, as this transaction's
                                 -- refresh statement wrote them (V72)
                                 compact_hash = venue_day_contents_hash(durations, guests, devices,
                                                                        presence_guests, presence_from, presence_to)
            WHERE tenant_id = ? AND location_id = ? AND day = ?
            """;

    /**
     * Numbers the guests and devices of the days, then writes each row's compact forms; returns the
     * guests' numbers by tenant.
     */
    private static Map<Long, Map<String, Integer>> storeCompact(
            Connection connection, List<Computed> days) throws SQLException {
        Map<Long, Map<String, Integer>> numbered = new HashMap<>();
        Map<Long, List<Computed>> byTenant = new LinkedHashMap<>();
        for (Computed day : days) {
            byTenant.computeIfAbsent(day.tenantId(), t -> new ArrayList<>()).add(day);
        }
        try (PreparedStatement st = connection.prepareStatement(COMPACT)) {
            for (Map.Entry<Long, List<Computed>> tenant : byTenant.entrySet()) {
                Set<String> guestKeys = new HashSet<>();
                Set<String> macs = new HashSet<>();
                for (Computed day : tenant.getValue()) {
                    guestKeys.addAll(Arrays.asList(day.guests()));
                    guestKeys.addAll(Arrays.asList(day.presenceGuests()));
                    macs.addAll(Arrays.asList(day.devices()));
                }
                Map<String, Integer> guests =
                        Ordinals.of(connection, Ordinals.Kind.GUEST, tenant.getKey(), guestKeys);
                numbered.put(tenant.getKey(), guests);
                Map<String, Integer> devices =
                        Ordinals.of(connection, Ordinals.Kind.DEVICE, tenant.getKey(), macs);
                for (Computed day : tenant.getValue()) {
                    int[] presenceOrdinals = new int[day.presenceGuests().length];
                    for (int i = 0; i < presenceOrdinals.length; i++) {
                        presenceOrdinals[i] = guests.get(day.presenceGuests()[i]);
                    }
                    st.setBytes(1, Summaries.bitmap(ordinals(day.guests(), guests)));
                    st.setBytes(2, Summaries.bitmap(ordinals(day.devices(), devices)));
                    st.setBytes(3, Summaries.durations(day.durations()));
                    st.setBytes(
                            4,
                            Summaries.presence(
                                    presenceOrdinals, day.presenceFrom(), day.presenceTo()));
                    st.setLong(5, day.tenantId());
                    st.setLong(6, day.locationId());
                    st.setObject(7, day.day());
                    st.addBatch();
                }
            }
            st.executeBatch();
        }
        return numbered;
    }

    private static int[] ordinals(String[] keys, Map<String, Integer> numbers) {
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = numbers.get(keys[i]);
        }
        return out;
    }

    /** Logs the rows without compact forms, for rebuilding. */
    private void logRowsWithoutCompactForms() {
        transactions.executeWrite(
                status ->
                        jdbc.prepareStatement(LOG_WITHOUT_COMPACT_FORMS, st -> st.executeUpdate()));
    }

    /** Takes the refreshers' turn for the caller's transaction, if no other replica holds it. */
    private boolean ourTurn() {
        return jdbc.prepareStatement(
                TAKE_TURN,
                st -> {
                    try (ResultSet rs = st.executeQuery()) {
                        return rs.next() && rs.getBoolean(1);
                    }
                });
    }

    private Batch refreshBatch(long lastEntry) {
        Batch batch = inOurTurn(connection -> recompute(connection, lastEntry));
        if (batch == null) {
            return new Batch(0, 0);
        }
        refreshedDays.increment(batch.days());
        return batch;
    }

    /**
     * Runs the work in a transaction that holds the refreshers' turn; null, doing nothing, when
     * another replica holds it.
     */
    private <T> T inOurTurn(ConnectionCallback<T> work) {
        return transactions.executeWrite(status -> ourTurn() ? jdbc.execute(work) : null);
    }
}
