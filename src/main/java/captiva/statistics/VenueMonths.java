package captiva.statistics;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.roaringbitmap.buffer.BufferFastAggregation;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;

/**
 * Keeps venue_month (V78), in the refresher's turn: a venue-local month's rollup rows combined into
 * one, so that a chain's year combines some 7,000 rows instead of 200,000. A month is built only
 * once it has ended everywhere: until then its days change with every refresh, and a query reads
 * them. A query takes a month row only when the days it takes whole of that month are the rows the
 * month was built from (as many, with the same sum of {@code compact_hash}), so a row that anything
 * else left behind is never taken; {@link #stale} finds such rows, and the ended months that have
 * none yet, for the refresher to build.
 */
final class VenueMonths {

    private VenueMonths() {}

    /** A venue's venue-local month, by its first day. */
    record Month(long tenantId, long locationId, LocalDate month) implements Comparable<Month> {

        static Month of(long tenantId, long locationId, LocalDate day) {
            return new Month(tenantId, locationId, day.withDayOfMonth(1));
        }

        @Override
        public int compareTo(Month o) {
            int c = Long.compare(tenantId, o.tenantId);
            if (c == 0) {
                c = Long.compare(locationId, o.locationId);
            }
            return c != 0 ? c : month.compareTo(o.month);
        }
    }

    /**
     * The first month that may not have ended everywhere: venue-local dates are within a day of the
     * UTC date, so every month before that of yesterday (UTC) has ended at every venue.
     */
    static LocalDate firstOpenMonth(Clock clock) {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(1).withDayOfMonth(1);
    }

    private static final String DAYS =
            """
            SELECT compact_hash, guest_ordinals, device_ordinals, duration_counts, presence FROM venue_day
            WHERE tenant_id = ? AND location_id = ? AND day >= ? AND day < ?
            """;

    private static final String STORE =
            """
            INSERT INTO venue_month (tenant_id, location_id, month, days, days_hash,
                                     guest_ordinals, device_ordinals, duration_counts, presence)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, location_id, month) DO UPDATE SET
                days = EXCLUDED.days, days_hash = EXCLUDED.days_hash, guest_ordinals = EXCLUDED.guest_ordinals,
                device_ordinals = EXCLUDED.device_ordinals, duration_counts = EXCLUDED.duration_counts,
                presence = EXCLUDED.presence
            """;

    private static final String REMOVE =
            "DELETE FROM venue_month WHERE tenant_id = ? AND location_id = ? AND month = ?";

    /**
     * Builds again each of the months, or removes its row: when it has not ended (before {@code
     * firstOpenMonth}), when no day of it has a row, or when a day's row has no compact forms yet
     * (the refresher logs that day, and builds the month with it).
     */
    static void rebuild(Connection connection, Collection<Month> months, LocalDate firstOpenMonth)
            throws SQLException {
        try (PreparedStatement days = connection.prepareStatement(DAYS);
                PreparedStatement store = connection.prepareStatement(STORE);
                PreparedStatement remove = connection.prepareStatement(REMOVE)) {
            for (Month m : new TreeSet<>(months)) {
                Combined combined = m.month().isBefore(firstOpenMonth) ? combine(days, m) : null;
                PreparedStatement st = combined == null ? remove : store;
                st.setLong(1, m.tenantId());
                st.setLong(2, m.locationId());
                st.setObject(3, m.month());
                if (combined != null) {
                    st.setInt(4, combined.days());
                    st.setBigDecimal(5, new BigDecimal(combined.daysHash()));
                    st.setBytes(6, combined.guests());
                    st.setBytes(7, combined.devices());
                    st.setBytes(8, combined.durations());
                    st.setBytes(9, combined.presence());
                }
                st.addBatch();
            }
            store.executeBatch();
            remove.executeBatch();
        }
    }

    /** A month's rows combined, as venue_month holds them. */
    record Combined(
            int days,
            BigInteger daysHash,
            byte[] guests,
            byte[] devices,
            byte[] durations,
            byte[] presence) {}

    /** The month's rows combined; null when it has none, or one without compact forms. */
    private static Combined combine(PreparedStatement days, Month m) throws SQLException {
        days.setLong(1, m.tenantId());
        days.setLong(2, m.locationId());
        days.setObject(3, m.month());
        days.setObject(4, m.month().plusMonths(1));
        int count = 0;
        BigInteger hash = BigInteger.ZERO;
        List<ImmutableRoaringBitmap> guests = new ArrayList<>();
        List<ImmutableRoaringBitmap> devices = new ArrayList<>();
        TreeMap<Long, Long> durations = new TreeMap<>();
        Ranges presence = new Ranges();
        try (ResultSet rs = days.executeQuery()) {
            while (rs.next()) {
                long dayHash = rs.getLong("compact_hash");
                if (rs.wasNull()) {
                    return null;
                }
                count++;
                hash = hash.add(BigInteger.valueOf(dayHash));
                guests.add(Summaries.bitmap(rs.getBytes("guest_ordinals")));
                devices.add(Summaries.bitmap(rs.getBytes("device_ordinals")));
                Summaries.readDurations(
                        rs.getBytes("duration_counts"),
                        (seconds, sessions) -> durations.merge(seconds, sessions, Long::sum));
                Summaries.readPresence(rs.getBytes("presence"), presence::add);
            }
        }
        if (count == 0) {
            return null;
        }
        return new Combined(
                count,
                hash,
                serialized(guests),
                serialized(devices),
                Summaries.durations(durations),
                presence.merged());
    }

    private static byte[] serialized(List<ImmutableRoaringBitmap> bitmaps) {
        return Summaries.bitmap(BufferFastAggregation.or(bitmaps.iterator()).toRoaringBitmap());
    }

    /** The days' presence ranges, for {@link Summaries#presence}, which merges each guest's. */
    private static final class Ranges {
        private int[] ordinals = new int[64];
        private long[] from = new long[64];
        private long[] to = new long[64];
        private int size;

        void add(int ordinal, long start, long end) {
            if (size == ordinals.length) {
                ordinals = Arrays.copyOf(ordinals, size * 2);
                from = Arrays.copyOf(from, size * 2);
                to = Arrays.copyOf(to, size * 2);
            }
            ordinals[size] = ordinal;
            from[size] = start;
            to[size++] = end;
        }

        byte[] merged() {
            return Summaries.presence(
                    Arrays.copyOf(ordinals, size),
                    Arrays.copyOf(from, size),
                    Arrays.copyOf(to, size));
        }
    }

    /**
     * Ended months (before {@code :firstOpenMonth}) whose rows all have compact forms and whose
     * month row is missing or was built from other rows.
     */
    private static final String UNBUILT =
            """
            SELECT d.tenant_id, d.location_id, d.month FROM (
                SELECT v.tenant_id, v.location_id, date_trunc('month', v.day::timestamp)::date AS month,
                       count(*) AS days, count(v.compact_hash) AS compact, sum(v.compact_hash) AS days_hash
                FROM venue_day v WHERE v.day < ?
                GROUP BY 1, 2, 3
            ) d
            WHERE d.compact = d.days
              AND NOT EXISTS (SELECT 1 FROM venue_month m
                              WHERE m.tenant_id = d.tenant_id AND m.location_id = d.location_id AND m.month = d.month
                                AND m.days = d.days AND m.days_hash = d.days_hash)
            ORDER BY 1, 2, 3
            LIMIT ?
            """;

    /** Month rows without a day of theirs left. */
    private static final String EMPTIED =
            """
            SELECT m.tenant_id, m.location_id, m.month FROM venue_month m
            WHERE NOT EXISTS (SELECT 1 FROM venue_day v
                              WHERE v.tenant_id = m.tenant_id AND v.location_id = m.location_id
                                AND v.day >= m.month AND v.day < (m.month + interval '1 month')::date)
            ORDER BY 1, 2, 3
            LIMIT ?
            """;

    /**
     * Up to {@code limit} months whose row must be built or removed: ended months without a row
     * true to their days (after an upgrade to V78, every one; after an older jar's refresh during a
     * rolling upgrade, those it changed), and rows whose days are all gone.
     */
    static Set<Month> stale(Connection connection, LocalDate firstOpenMonth, int limit)
            throws SQLException {
        Set<Month> months = new TreeSet<>();
        try (PreparedStatement st = connection.prepareStatement(UNBUILT)) {
            st.setObject(1, firstOpenMonth);
            st.setInt(2, limit);
            read(st, months);
        }
        try (PreparedStatement st = connection.prepareStatement(EMPTIED)) {
            st.setInt(1, limit);
            read(st, months);
        }
        return months;
    }

    private static void read(PreparedStatement st, Set<Month> into) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                into.add(new Month(rs.getLong(1), rs.getLong(2), rs.getObject(3, LocalDate.class)));
            }
        }
    }
}
