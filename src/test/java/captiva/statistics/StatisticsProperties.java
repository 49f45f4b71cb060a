package captiva.statistics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.privacy.GuestErasure;
import captiva.privacy.GuestKey;
import captiva.sessions.AccountingEvent;
import captiva.sessions.SessionProperties;
import captiva.sessions.SessionRecorder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.MutableClock;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every figure of GET /sessions/statistics, as a property: random venue histories around the DST
 * changes of London and New York, sent as RADIUS-style accounting through {@link SessionRecorder}
 * (Starts, Interims and Stops shuffled and split into late batches, some Starts lost, some sessions
 * never stopped), then random questions (filters, key restrictions, group_by) whose answers are
 * checked against the same statistics computed here, in plain Java, from the generated sessions.
 * The venue-day rollups are refreshed at random points while accounting arrives, so answers read
 * rollup rows, venue-days changed since their rollup and sessions alike.
 *
 * <p>jqwik does not run under Micronaut's JUnit 5 extension, so the application is started here.
 */
class StatisticsProperties {

    private static final String[] ZONES = {"Europe/London", "America/New_York"};

    /**
     * Days around which histories are generated: both 2024 DST changes of each zone, and a plain
     * day.
     */
    private static final Instant[] BASES = {
        Instant.parse("2024-03-30T20:00:00Z"), Instant.parse("2024-10-26T20:00:00Z"), // London
        Instant.parse("2024-03-09T22:00:00Z"), Instant.parse("2024-11-02T22:00:00Z"), // New York
        Instant.parse("2024-06-14T20:00:00Z")
    };

    private static final String[] MACS = {
        "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"
    };
    private static final int GUESTS = 3;
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT);

    private static EmbeddedServer server;
    private static Http http;
    private static Fixtures given;
    private static SessionRecorder recorder;
    private static VenueDayRefresher refresher;
    private static GuestErasure erasure;
    private static OpaqueIds ids;
    private static MutableClock clock;
    private static Duration onlineTimeout;

    @BeforeContainer
    static void start() {
        Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
        properties.put("captiva.admin.token", ApiTest.ADMIN_TOKEN);
        properties.put("micronaut.server.port", -1);
        server = ApplicationContext.run(EmbeddedServer.class, properties, "test");
        http = new Http(server.getURL().toString());
        given = new Fixtures(http);
        recorder = server.getApplicationContext().getBean(SessionRecorder.class);
        refresher = server.getApplicationContext().getBean(VenueDayRefresher.class);
        erasure = server.getApplicationContext().getBean(GuestErasure.class);
        ids = server.getApplicationContext().getBean(OpaqueIds.class);
        clock = server.getApplicationContext().getBean(MutableClock.class);
        onlineTimeout =
                server.getApplicationContext().getBean(SessionProperties.class).onlineTimeout();
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            clock.reset();
            server.getApplicationContext().close();
        }
    }

    // ---------------------------------------------------------------- generation

    /**
     * One session: where, whose (guest index or none), which device (MAC index or none), when
     * (minutes after the base), how long (seconds), whether a Stop was ever sent, and bytes.
     */
    record SessionGen(
            int location,
            Integer guest,
            Integer mac,
            int startMinute,
            int seconds,
            boolean stopped,
            long down,
            long up) {}

    /** A question; null fields are parameters left out. */
    record Question(
            boolean restrictedKey,
            Integer location,
            Integer startDay,
            Integer startHour,
            Integer endDay,
            Boolean online,
            GroupBy groupBy) {}

    record History(
            int tenantZone,
            List<Integer> locationZones,
            int base,
            int nowMinute,
            long seed,
            List<SessionGen> sessions,
            List<Question> questions) {}

    @Provide
    Arbitrary<History> histories() {
        Arbitrary<SessionGen> session =
                Combinators.combine(
                                Arbitraries.integers().between(0, 1),
                                Arbitraries.integers().between(0, GUESTS - 1).injectNull(0.4),
                                Arbitraries.integers().between(0, MACS.length - 1).injectNull(0.2),
                                // Often within the same two hours, so that sessions (of one guest
                                // too) overlap.
                                Arbitraries.oneOf(
                                        Arbitraries.integers().between(0, 48 * 60),
                                        Arbitraries.integers().between(0, 120)),
                                Arbitraries.oneOf(
                                        Arbitraries.integers().between(0, 120),
                                        Arbitraries.integers().between(0, 6 * 3600)),
                                Arbitraries.of(true, true, false),
                                Arbitraries.longs().between(0, 5_000_000_000L),
                                Arbitraries.longs().between(0, 50_000_000L))
                        .as(SessionGen::new);
        Arbitrary<Question> question =
                Combinators.combine(
                                Arbitraries.of(true, false),
                                Arbitraries.integers().between(0, 1).injectNull(0.5),
                                Arbitraries.integers().between(-1, 2).injectNull(0.4),
                                Arbitraries.integers().between(0, 47).injectNull(0.8),
                                Arbitraries.integers().between(-1, 2).injectNull(0.6),
                                Arbitraries.of(true, false).injectNull(0.7),
                                Arbitraries.of(GroupBy.values()).injectNull(0.25))
                        .as(Question::new);
        return Combinators.combine(
                        Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(0, 1).list().ofSize(2),
                        Arbitraries.integers().between(0, BASES.length - 1),
                        Arbitraries.integers().between(0, 56 * 60),
                        Arbitraries.longs(),
                        session.list().ofMinSize(0).ofMaxSize(25),
                        question.list().ofMinSize(1).ofMaxSize(6))
                .as(History::new);
    }

    // ---------------------------------------------------------------- the property

    @Property(tries = 100, shrinking = ShrinkingMode.BOUNDED)
    void everyStatisticEqualsTheSameComputedFromTheSessions(@ForAll("histories") History history)
            throws SQLException {
        World world = build(history);
        numbersNameOnlyWhatSessionsHold(world);
        rowsHoldTheirSessions(world);
        eachGuestsEarliestVisitIsTheirEarliestEntry(world);
        eachGuestOfARowTakenWholeHasAnEarliestVisitByItsSessions(world);
        try {
            clock.freezeAt(world.now);
            for (Question q : history.questions()) {
                Key key = q.restrictedKey() ? world.restrictedKey : world.key;
                JsonNode answer = ask(world, key, q);
                Expected expected = expect(world, q);
                assertEquals(expected.total, figures(answer.get("total")), () -> "total of " + q);
                List<String> names = new ArrayList<>();
                Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
                answer.get("groups")
                        .forEach(
                                g -> {
                                    names.add(g.get("group").asText());
                                    groups.put(
                                            g.get("group").asText(), figures(g.get("statistics")));
                                });
                assertEquals(
                        new ArrayList<>(expected.groups.keySet()), names, () -> "groups of " + q);
                for (String name : names) {
                    assertEquals(
                            expected.groups.get(name),
                            groups.get(name),
                            () -> "group " + name + " of " + q);
                }
            }
        } finally {
            clock.reset();
        }
    }

    // ---------------------------------------------------------------- the rollup rows

    /**
     * Every rollup row that a query may take whole (current, with its compact forms) holds, by the
     * tenant's ordinals, exactly its venue-day's ended sessions: their guests, devices, durations,
     * and each guest's time online merged. So does every venue-month row that a query may take in
     * their stead (built from exactly such rows of its month: as many, with the same sum of
     * compact_hash) for the sessions of those days.
     */
    private static void rowsHoldTheirSessions(World w) throws SQLException {
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, w.tenant.id()).orElseThrow();
        record Row(long location, LocalDate day, long hash, byte[][] compact) {}
        List<Row> rows = new ArrayList<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                """
                                SELECT location_id, day, compact_hash, guest_ordinals, device_ordinals, duration_counts,
                                       presence
                                FROM venue_day v
                                WHERE tenant_id = ? AND compact_hash IS NOT NULL
                                  AND NOT EXISTS (SELECT 1 FROM venue_day_dirty d WHERE d.tenant_id = v.tenant_id
                                                  AND d.location_id = v.location_id AND d.day = v.day)
                                """)) {
            st.setLong(1, tenantId);
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(
                            new Row(
                                    rs.getLong(1),
                                    rs.getObject(2, LocalDate.class),
                                    rs.getLong(3),
                                    new byte[][] {
                                        rs.getBytes(4),
                                        rs.getBytes(5),
                                        rs.getBytes(6),
                                        rs.getBytes(7)
                                    }));
                }
            }
        }
        record Month(long location, LocalDate month, int days, BigDecimal hash, byte[][] compact) {}
        List<Month> months = new ArrayList<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                """
                                SELECT location_id, month, days, days_hash, guest_ordinals, device_ordinals,
                                       duration_counts, presence
                                FROM venue_month WHERE tenant_id = ?
                                """)) {
            st.setLong(1, tenantId);
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    months.add(
                            new Month(
                                    rs.getLong(1),
                                    rs.getObject(2, LocalDate.class),
                                    rs.getInt(3),
                                    rs.getBigDecimal(4),
                                    new byte[][] {
                                        rs.getBytes(5),
                                        rs.getBytes(6),
                                        rs.getBytes(7),
                                        rs.getBytes(8)
                                    }));
                }
            }
        }
        // Venues with no day logged as changed: their first visits must be exact.
        Set<Long> changedVenues = new HashSet<>();
        Map<String, String> firstVisits = new HashMap<>();
        try (Connection c = TestDatabase.connect()) {
            try (PreparedStatement st =
                    c.prepareStatement(
                            """
                            SELECT location_id FROM venue_day_dirty WHERE tenant_id = ?
                            UNION
                            SELECT location_id FROM venue_day
                            WHERE tenant_id = ? AND compact_hash IS NULL
                            """)) {
                st.setLong(2, tenantId);
                st.setLong(1, tenantId);
                try (var rs = st.executeQuery()) {
                    while (rs.next()) {
                        changedVenues.add(rs.getLong(1));
                    }
                }
            }
            try (PreparedStatement st =
                    c.prepareStatement(
                            """
                            SELECT f.location_id, f.guest_ordinal,
                                   (extract(epoch FROM f.first_start) * 1000000)::bigint, f.first_day::text
                            FROM guest_first_visit f WHERE f.tenant_id = ?
                            """)) {
                st.setLong(1, tenantId);
                try (var rs = st.executeQuery()) {
                    while (rs.next()) {
                        if (!changedVenues.contains(rs.getLong(1))) {
                            firstVisits.put(
                                    rs.getLong(1) + " " + rs.getInt(2),
                                    rs.getLong(3) + " " + rs.getString(4));
                        }
                    }
                }
            }
        }
        // Read after the rows: a number, once given, stays, so every number in them is here.
        Map<Integer, String> guestKeys =
                keys("SELECT ordinal, guest_key FROM guest_ordinal WHERE tenant_id = ?", tenantId);
        Map<Integer, String> macs =
                keys("SELECT ordinal, mac::text FROM device_ordinal WHERE tenant_id = ?", tenantId);
        Map<String, Integer> guestNumbers = new HashMap<>();
        guestKeys.forEach((number, key) -> guestNumbers.put(key, number));
        Map<String, String> expectedFirstVisits = new HashMap<>();
        for (Stored s : w.sessions) {
            long venue = w.locationRowIds.get(s.location());
            if (s.end() == null || s.guestKey() == null || changedVenues.contains(venue)) {
                continue;
            }
            String entry =
                    micros(s.start())
                            + " "
                            + s.start().atZone(w.zones.get(s.location())).toLocalDate();
            expectedFirstVisits.merge(
                    venue + " " + guestNumbers.get(s.guestKey()),
                    entry,
                    (a, b) ->
                            Long.parseLong(a.split(" ")[0]) <= Long.parseLong(b.split(" ")[0])
                                    ? a
                                    : b);
        }
        assertEquals(
                expectedFirstVisits, firstVisits, "first visits at the venues not changed since");
        for (Row r : rows) {
            int location = w.locationRowIds.indexOf(r.location());
            assertHolds(
                    "row of " + r.day() + " at location " + location,
                    r.compact(),
                    endedIn(w, location, Set.of(r.day())),
                    guestKeys,
                    macs);
        }
        for (Month m : months) {
            Set<LocalDate> days = new HashSet<>();
            BigInteger hash = BigInteger.ZERO;
            for (Row r : rows) {
                if (r.location() == m.location() && r.day().withDayOfMonth(1).equals(m.month())) {
                    days.add(r.day());
                    hash = hash.add(BigInteger.valueOf(r.hash()));
                }
            }
            if (days.size() != m.days() || !new BigDecimal(hash).equals(m.hash())) {
                continue; // never taken: built from other rows than those a query would take
            }
            int location = w.locationRowIds.indexOf(m.location());
            assertHolds(
                    "month row of " + m.month() + " at location " + location,
                    m.compact(),
                    endedIn(w, location, days),
                    guestKeys,
                    macs);
        }
    }

    /** The ended sessions of the venue that started on one of the venue-local days. */
    private static List<Stored> endedIn(World w, int location, Set<LocalDate> days) {
        ZoneId zone = w.zones.get(location);
        return w.sessions.stream()
                .filter(
                        s ->
                                s.location() == location
                                        && s.end() != null
                                        && days.contains(s.start().atZone(zone).toLocalDate()))
                .toList();
    }

    /**
     * A rollup row's compact forms hold, by the tenant's ordinals, exactly the sessions' guests,
     * devices, durations, and each guest's time online merged.
     */
    private static void assertHolds(
            String row,
            byte[][] compact,
            List<Stored> ended,
            Map<Integer, String> guestKeys,
            Map<Integer, String> macs) {
        Set<String> guests = new HashSet<>();
        for (int o : Summaries.bitmap(compact[0]).toArray()) {
            guests.add(guestKeys.get(o));
        }
        assertEquals(
                ended.stream()
                        .map(Stored::guestKey)
                        .filter(Objects::nonNull)
                        .collect(Collectors.toSet()),
                guests,
                () -> "guests of " + row);
        Set<String> devices = new HashSet<>();
        for (int o : Summaries.bitmap(compact[1]).toArray()) {
            devices.add(macs.get(o));
        }
        assertEquals(
                ended.stream()
                        .map(Stored::mac)
                        .filter(Objects::nonNull)
                        .collect(Collectors.toSet()),
                devices,
                () -> "devices of " + row);
        TreeMap<Long, Long> durations = new TreeMap<>();
        Summaries.readDurations(compact[2], durations::put);
        TreeMap<Long, Long> expectedDurations = new TreeMap<>();
        ended.forEach(
                s ->
                        expectedDurations.merge(
                                Duration.between(s.start(), s.end()).getSeconds(), 1L, Long::sum));
        assertEquals(expectedDurations, durations, () -> "durations of " + row);
        List<String> presence = new ArrayList<>();
        Summaries.readPresence(
                compact[3],
                (o, from, to) -> presence.add(guestKeys.get(o) + " " + from + " " + to));
        Collections.sort(presence);
        assertEquals(merged(ended), presence, () -> "presence of " + row);
    }

    /**
     * The numbering of guests and devices holds no MAC nor guest that no session of the tenant has
     * (erasure makes it forget them), and no first visit of a number it does not have.
     */
    private static void numbersNameOnlyWhatSessionsHold(World w) throws SQLException {
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, w.tenant.id()).orElseThrow();
        Set<String> macs = new HashSet<>();
        Set<String> guests = new HashSet<>();
        for (Stored s : w.sessions) {
            if (s.mac() != null) {
                macs.add(s.mac());
            }
            if (s.guestKey() != null && s.guestKey().startsWith("g")) {
                guests.add(s.guestKey().substring(1));
            }
        }
        for (String key :
                keys("SELECT ordinal, guest_key FROM guest_ordinal WHERE tenant_id = ?", tenantId)
                        .values()) {
            Set<String> held = key.startsWith("g") ? guests : macs;
            assertTrue(held.contains(key.substring(1)), () -> "guest_ordinal holds " + key);
        }
        for (String mac :
                keys("SELECT ordinal, mac::text FROM device_ordinal WHERE tenant_id = ?", tenantId)
                        .values()) {
            assertTrue(macs.contains(mac), () -> "device_ordinal holds " + mac);
        }
        assertEquals(
                Map.of(),
                keys(
                        """
                        SELECT f.guest_ordinal, f.location_id::text FROM guest_first_visit f
                        WHERE f.tenant_id = ? AND NOT EXISTS (
                            SELECT 1 FROM guest_ordinal o WHERE o.tenant_id = f.tenant_id AND o.ordinal = f.guest_ordinal)
                        """,
                        tenantId),
                "first visits of numbers forgotten");
    }

    /** Each guest's ended sessions merged into ranges, as "key from to" in microseconds, sorted. */
    private static List<String> merged(List<Stored> ended) {
        Map<String, List<long[]>> byGuest = new HashMap<>();
        for (Stored s : ended) {
            long from = micros(s.start());
            long to = micros(s.end());
            if (s.guestKey() != null && to > from) {
                byGuest.computeIfAbsent(s.guestKey(), k -> new ArrayList<>())
                        .add(new long[] {from, to});
            }
        }
        List<String> out = new ArrayList<>();
        byGuest.forEach(
                (guest, ranges) -> {
                    ranges.sort(Comparator.comparingLong(r -> r[0]));
                    long[] open = null;
                    for (long[] r : ranges) {
                        if (open != null && r[0] <= open[1]) {
                            open[1] = Math.max(open[1], r[1]);
                        } else {
                            if (open != null) {
                                out.add(guest + " " + open[0] + " " + open[1]);
                            }
                            open = r.clone();
                        }
                    }
                    out.add(guest + " " + open[0] + " " + open[1]);
                });
        Collections.sort(out);
        return out;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    /**
     * Each guest with first-visit entries has one row of guest_earliest_visit, naming the entry
     * with the earliest start (the lower venue id on a tie), and no other guest has one; whether or
     * not the entries are current, since the row follows the entries, not the sessions.
     */
    private static void eachGuestsEarliestVisitIsTheirEarliestEntry(World w) throws SQLException {
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, w.tenant.id()).orElseThrow();
        String entry =
                "%s.location_id || ' ' || %<s.first_start::text || ' ' || %<s.first_day::text";
        Map<Integer, String> earliest =
                keys(
                        "SELECT e.guest_ordinal, %s FROM guest_earliest_visit e WHERE e.tenant_id = ?"
                                .formatted(entry.formatted("e")),
                        tenantId);
        record Entry(int guest, long location, Instant start, String text) {}
        Map<Integer, Entry> expected = new HashMap<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT f.guest_ordinal, f.location_id, f.first_start, %s FROM guest_first_visit f WHERE f.tenant_id = ?"
                                        .formatted(entry.formatted("f")))) {
            st.setLong(1, tenantId);
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    Entry e =
                            new Entry(
                                    rs.getInt(1),
                                    rs.getLong(2),
                                    rs.getObject(3, OffsetDateTime.class).toInstant(),
                                    rs.getString(4));
                    expected.merge(
                            e.guest(),
                            e,
                            (a, b) ->
                                    a.start().isBefore(b.start())
                                                    || a.start().equals(b.start())
                                                            && a.location() < b.location()
                                            ? a
                                            : b);
                }
            }
        }
        Map<Integer, String> expectedText = new HashMap<>();
        expected.forEach((guest, e) -> expectedText.put(guest, e.text()));
        assertEquals(expectedText, earliest, "each guest's earliest visit");
    }

    /**
     * Every guest of a rollup row that a query may take whole has an earliest visit no later than
     * the row's last start, so before the end of any period that takes the row: a statement that
     * reads only the earliest visits in its period (StatisticsQueries.EARLIEST_SINCE) takes such a
     * guest for one seen before the period.
     */
    private static void eachGuestOfARowTakenWholeHasAnEarliestVisitByItsSessions(World w)
            throws SQLException {
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, w.tenant.id()).orElseThrow();
        Map<Integer, String> earliest =
                keys(
                        "SELECT guest_ordinal, first_start::text FROM guest_earliest_visit WHERE tenant_id = ?",
                        tenantId);
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                """
                                SELECT v.day, v.guest_ordinals,
                                       (SELECT array_agg(e.guest_ordinal) FROM guest_earliest_visit e
                                        WHERE e.tenant_id = v.tenant_id AND e.first_start <= v.last_start)
                                FROM venue_day v
                                WHERE v.tenant_id = ? AND v.compact_hash IS NOT NULL
                                  AND NOT EXISTS (SELECT 1 FROM venue_day_dirty d WHERE d.tenant_id = v.tenant_id
                                                  AND d.location_id = v.location_id AND d.day = v.day)
                                """)) {
            st.setLong(1, tenantId);
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    Set<Integer> seenByThen = new HashSet<>();
                    java.sql.Array seen = rs.getArray(3);
                    if (seen != null) {
                        seenByThen.addAll(Arrays.asList((Integer[]) seen.getArray()));
                    }
                    LocalDate day = rs.getObject(1, LocalDate.class);
                    for (int guest : Summaries.bitmap(rs.getBytes(2)).toArray()) {
                        assertTrue(
                                seenByThen.contains(guest),
                                () ->
                                        "guest "
                                                + guest
                                                + " of the row of "
                                                + day
                                                + " has no earliest visit by its sessions: "
                                                + earliest.get(guest));
                    }
                }
            }
        }
    }

    private static Map<Integer, String> keys(String sql, long tenantId) throws SQLException {
        Map<Integer, String> keys = new HashMap<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setLong(1, tenantId);
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return keys;
    }

    // ---------------------------------------------------------------- the world

    /** A session as stored, as this class expects it to be after all its accounting. */
    record Stored(
            int location,
            String guestKey,
            String mac,
            Instant start,
            Instant end,
            Instant lastUpdate,
            long down,
            long up) {}

    static final class World {
        Tenant tenant;
        ZoneId tenantZone;
        final List<Location> locations = new ArrayList<>();
        final List<Long> locationRowIds = new ArrayList<>();
        final List<ZoneId> zones = new ArrayList<>();
        Key key;
        Key restrictedKey; // may see location 0 only
        final List<Stored> sessions = new ArrayList<>();
        Instant base;
        Instant now;
    }

    private static World build(History h) throws SQLException {
        World w = new World();
        w.base = BASES[h.base()];
        w.now = w.base.plus(Duration.ofMinutes(h.nowMinute()));
        w.tenantZone = ZoneId.of(ZONES[h.tenantZone()]);
        // The histories give one device overlapping sessions at one NAS, in any arrival order: real
        // only
        // where devices share a MAC, which is what the tenant setting is for. The statistics are
        // the
        // subject here; ReconnectTest covers superseding.
        w.tenant = given.tenant(w.tenantZone.getId(), Map.of("end_superseded_sessions", false));
        List<Long> nasIds = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            ZoneId zone = ZoneId.of(ZONES[h.locationZones().get(l)]);
            Location location = given.location(w.tenant, zone.getId());
            w.locations.add(location);
            w.zones.add(zone);
            w.locationRowIds.add(ids.decode(OpaqueIds.Kind.LOCATION, location.id()).orElseThrow());
            String nas = given.nas(location, "127.0.0.1", "stats-" + UUID.randomUUID(), "secret");
            nasIds.add(ids.decode(OpaqueIds.Kind.NAS, nas).orElseThrow());
        }
        w.key = given.readKey(w.tenant);
        w.restrictedKey = given.readKey(w.tenant, w.locations.get(0));
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, w.tenant.id()).orElseThrow();
        List<Long> guestRowIds = guests(tenantId);

        Random random = new Random(h.seed());
        List<AccountingEvent> events = new ArrayList<>();
        int n = 0;
        for (SessionGen g : h.sessions()) {
            String acctSessionId = "s" + n++;
            Instant start =
                    w.base.plus(Duration.ofMinutes(g.startMinute()))
                            .plusSeconds(random.nextInt(60));
            Instant end = start.plusSeconds(g.seconds());
            String username =
                    g.guest() == null ? "anonymous-" + acctSessionId : "guest-" + g.guest();
            String mac = g.mac() == null ? null : MACS[g.mac()];
            List<AccountingEvent> own = new ArrayList<>();
            // Interims every 5 minutes, counters growing; the Start may be lost, the Stop never
            // sent.
            boolean startLost = random.nextInt(4) == 0;
            if (!startLost) {
                own.add(
                        event(
                                w,
                                nasIds,
                                g,
                                acctSessionId,
                                AccountingEvent.Type.START,
                                start,
                                start,
                                username,
                                mac,
                                0,
                                0));
            }
            for (long at = 300; at < g.seconds(); at += 300) {
                long share = at * 1000 / Math.max(1, g.seconds());
                own.add(
                        event(
                                w,
                                nasIds,
                                g,
                                acctSessionId,
                                AccountingEvent.Type.INTERIM_UPDATE,
                                start.plusSeconds(at),
                                start,
                                username,
                                mac,
                                g.down() * share / 1000,
                                g.up() * share / 1000));
            }
            if (g.stopped()) {
                own.add(
                        event(
                                w,
                                nasIds,
                                g,
                                acctSessionId,
                                AccountingEvent.Type.STOP,
                                end,
                                start,
                                username,
                                mac,
                                g.down(),
                                g.up()));
            } else if (own.isEmpty()) {
                own.add(
                        event(
                                w,
                                nasIds,
                                g,
                                acctSessionId,
                                AccountingEvent.Type.START,
                                start,
                                start,
                                username,
                                mac,
                                0,
                                0));
            }
            Instant lastUpdate =
                    own.stream()
                            .map(AccountingEvent::eventTime)
                            .max(Comparator.naturalOrder())
                            .orElseThrow();
            String guestKey =
                    g.guest() != null
                            ? "g" + guestRowIds.get(g.guest())
                            : mac != null ? "m" + mac : null;
            w.sessions.add(
                    new Stored(
                            g.location(),
                            guestKey,
                            mac,
                            start,
                            g.stopped() ? end : null,
                            lastUpdate,
                            own.stream()
                                    .mapToLong(AccountingEvent::outputOctets)
                                    .max()
                                    .orElseThrow(),
                            own.stream()
                                    .mapToLong(AccountingEvent::inputOctets)
                                    .max()
                                    .orElseThrow()));
            events.addAll(own);
        }
        // Late and out of order: every event in a random place, in batches of random size. The
        // rollups
        // take in what has arrived at random points (the scheduled refresher runs too), so
        // questions
        // meet venue-days rolled up, changed since, and never rolled up.
        Collections.shuffle(events, random);
        for (int from = 0; from < events.size(); ) {
            int to = Math.min(events.size(), from + 1 + random.nextInt(8));
            recorder.record(events.subList(from, to));
            from = to;
            if (random.nextInt(4) == 0) {
                refresher.refresh();
            } else if (random.nextInt(8) == 0) {
                // a rolling upgrade: an older jar's refresher takes logged days too, where V72 lets
                // it
                OlderJar.refresh();
            }
        }
        if (random.nextInt(3) == 0) {
            // A guest erased (GDPR): their sessions stay, naming no guest and no device.
            long erased = guestRowIds.get(random.nextInt(GUESTS));
            erasure.erase(tenantId, new GuestKey.Id(erased));
            w.sessions.replaceAll(
                    s ->
                            ("g" + erased).equals(s.guestKey())
                                    ? new Stored(
                                            s.location(),
                                            null,
                                            null,
                                            s.start(),
                                            s.end(),
                                            s.lastUpdate(),
                                            s.down(),
                                            s.up())
                                    : s);
            if (random.nextInt(3) == 0) {
                OlderJar.refresh();
            }
        }
        if (random.nextInt(4) > 0) {
            refresher.refresh();
        }
        return w;
    }

    private static AccountingEvent event(
            World w,
            List<Long> nasIds,
            SessionGen g,
            String acctSessionId,
            AccountingEvent.Type type,
            Instant at,
            Instant start,
            String username,
            String mac,
            long down,
            long up) {
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, w.tenant.id()).orElseThrow();
        Long sessionTime =
                type == AccountingEvent.Type.START
                        ? null
                        : Duration.between(start, at).getSeconds();
        return new AccountingEvent(
                tenantId,
                w.locationRowIds.get(g.location()),
                nasIds.get(g.location()),
                acctSessionId,
                type,
                at,
                username,
                mac,
                "10.0.0." + (1 + g.location()),
                up,
                down,
                sessionTime,
                null);
    }

    /** The tenant's guests, found by RADIUS User-Name as accounting arrives. */
    private static List<Long> guests(long tenantId) throws SQLException {
        List<Long> rowIds = new ArrayList<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                "INSERT INTO guest (tenant_id, username) VALUES (?, ?) RETURNING id")) {
            for (int i = 0; i < GUESTS; i++) {
                st.setLong(1, tenantId);
                st.setString(2, "guest-" + i);
                try (var rs = st.executeQuery()) {
                    rs.next();
                    rowIds.add(rs.getLong(1));
                }
            }
        }
        return rowIds;
    }

    // ---------------------------------------------------------------- asking

    private static JsonNode ask(World w, Key key, Question q) {
        StringJoiner query = new StringJoiner("&");
        if (q.location() != null) {
            query.add("location_id=" + w.locations.get(q.location()).id());
        }
        ZoneId filterZone = q.location() != null ? w.zones.get(q.location()) : w.tenantZone;
        if (q.startHour() != null) {
            query.add(
                    "start_time="
                            + URLEncoder.encode(
                                    startInstant(w, q).toString(), StandardCharsets.UTF_8));
        } else if (q.startDay() != null) {
            query.add("start_time=" + day(w, filterZone, q.startDay()));
        }
        if (q.endDay() != null) {
            query.add("end_time=" + day(w, filterZone, q.endDay()));
        }
        if (q.online() != null) {
            query.add("online=" + q.online());
        }
        if (q.groupBy() != null) {
            query.add("group_by=" + q.groupBy().parameterValue());
        }
        Http.Response r = http.get("/sessions/statistics?" + query, key.auth());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static LocalDate day(World w, ZoneId zone, int offset) {
        return w.base.atZone(zone).toLocalDate().plusDays(offset);
    }

    private static Instant startInstant(World w, Question q) {
        return w.base.plus(Duration.ofHours(q.startHour()));
    }

    // ---------------------------------------------------------------- the oracle

    record Expected(Map<String, Object> total, Map<String, Map<String, Object>> groups) {}

    /** A selected session with the bucket facts the statistics need. */
    record Selected(
            Stored s,
            boolean online,
            long seconds,
            Instant effectiveEnd,
            String groupName,
            String groupOrder,
            Instant groupPeriodStart) {}

    private static Expected expect(World w, Question q) {
        Instant cutoff = w.now.minus(onlineTimeout);
        ZoneId filterZone = q.location() != null ? w.zones.get(q.location()) : w.tenantZone;
        Instant from =
                q.startHour() != null
                        ? startInstant(w, q)
                        : q.startDay() != null
                                ? day(w, filterZone, q.startDay())
                                        .atStartOfDay(filterZone)
                                        .toInstant()
                                : null;
        Instant until =
                q.endDay() == null
                        ? null
                        : day(w, filterZone, q.endDay())
                                .plusDays(1)
                                .atStartOfDay(filterZone)
                                .toInstant();
        Set<Integer> visible = q.restrictedKey() ? Set.of(0) : Set.of(0, 1);

        List<Selected> selected = new ArrayList<>();
        for (Stored s : w.sessions) {
            boolean online = s.end() == null && !s.lastUpdate().isBefore(cutoff);
            boolean matches =
                    visible.contains(s.location())
                            && (q.location() == null || q.location() == s.location())
                            && (from == null || !s.start().isBefore(from))
                            && (until == null || (s.end() != null && s.end().isBefore(until)))
                            && (q.online() == null || q.online() == online);
            if (!matches) {
                continue;
            }
            Instant effectiveEnd =
                    later(s.start(), s.end() != null ? s.end() : online ? w.now : s.lastUpdate());
            long seconds = Duration.between(s.start(), effectiveEnd).getSeconds();
            ZonedDateTime local = s.start().atZone(w.zones.get(s.location()));
            String name = null;
            String order = null;
            Instant periodStart = from;
            if (q.groupBy() == GroupBy.LOCATION) {
                name = w.locations.get(s.location()).id();
                order = String.format("%020d", w.locationRowIds.get(s.location()));
            } else if (q.groupBy() == GroupBy.DAY) {
                name = local.toLocalDate().toString();
                order = name;
                periodStart =
                        later(from, local.toLocalDate().atStartOfDay(local.getZone()).toInstant());
            } else if (q.groupBy() == GroupBy.HOUR) {
                // Hours on the clock of the selection's zone: one instant is one group, whatever
                // the venue.
                ZonedDateTime hour = s.start().atZone(filterZone).truncatedTo(ChronoUnit.HOURS);
                name = hour.format(HOUR);
                order = String.format("%020d", hour.toEpochSecond());
                periodStart = later(from, hour.toInstant());
            }
            selected.add(new Selected(s, online, seconds, effectiveEnd, name, order, periodStart));
        }
        Map<String, Object> total = statistics(w, visible, selected, s -> from);
        TreeMap<String, List<Selected>> byOrder = new TreeMap<>();
        Map<String, String> names = new HashMap<>();
        if (q.groupBy() != null) {
            for (Selected s : selected) {
                byOrder.computeIfAbsent(s.groupOrder(), k -> new ArrayList<>()).add(s);
                names.put(s.groupOrder(), s.groupName());
            }
        }
        Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
        byOrder.forEach(
                (order, members) ->
                        groups.put(
                                names.get(order),
                                statistics(w, visible, members, Selected::groupPeriodStart)));
        return new Expected(total, groups);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    /**
     * @param periodStart where the period of a session's bucket starts (null: no start, nobody
     *     returns)
     */
    private static Map<String, Object> statistics(
            World w,
            Set<Integer> visible,
            List<Selected> sessions,
            Function<Selected, Instant> periodStart) {
        Set<String> guests = new HashSet<>();
        Set<String> devices = new HashSet<>();
        Set<String> returning = new HashSet<>();
        Set<String> onlineNow = new HashSet<>();
        List<Long> durations = new ArrayList<>();
        long down = 0;
        long up = 0;
        for (Selected sel : sessions) {
            Stored s = sel.s();
            if (s.guestKey() != null) {
                guests.add(s.guestKey());
                if (sel.online()) {
                    onlineNow.add(s.guestKey());
                }
                Instant before = periodStart.apply(sel);
                if (before != null
                        && w.sessions.stream()
                                .anyMatch(
                                        p ->
                                                visible.contains(p.location())
                                                        && s.guestKey().equals(p.guestKey())
                                                        && p.start().isBefore(before))) {
                    returning.add(s.guestKey());
                }
            }
            if (s.mac() != null) {
                devices.add(s.mac());
            }
            durations.add(sel.seconds());
            down += s.down();
            up += s.up();
        }
        Collections.sort(durations);
        long totalSeconds = durations.stream().mapToLong(Long::longValue).sum();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("sessions", (long) sessions.size());
        f.put("unique_guests", (long) guests.size());
        f.put("unique_devices", (long) devices.size());
        f.put("returning_guests", (long) returning.size());
        f.put(
                "returning_guests_percentage",
                guests.isEmpty()
                        ? null
                        : BigDecimal.valueOf(100L * returning.size())
                                .divide(
                                        BigDecimal.valueOf(guests.size()),
                                        2,
                                        RoundingMode.HALF_UP));
        f.put(
                "average_duration_seconds",
                durations.isEmpty()
                        ? null
                        : BigDecimal.valueOf(totalSeconds)
                                .divide(
                                        BigDecimal.valueOf(durations.size()),
                                        0,
                                        RoundingMode.HALF_UP)
                                .longValue());
        f.put(
                "median_duration_seconds",
                durations.isEmpty() ? null : durations.get((durations.size() + 1) / 2 - 1));
        f.put("downloaded_bytes", down);
        f.put("uploaded_bytes", up);
        f.put("peak_guests_online", peak(sessions));
        f.put("guests_online_now", (long) onlineNow.size());
        return f;
    }

    /**
     * The most guests whose sessions cover one instant; the maximum is reached at some session's
     * start.
     */
    private static long peak(List<Selected> sessions) {
        long best = 0;
        for (Selected at : sessions) {
            Instant t = at.s().start();
            long guests =
                    sessions.stream()
                            .filter(
                                    s ->
                                            s.s().guestKey() != null
                                                    && !s.s().start().isAfter(t)
                                                    && s.effectiveEnd().isAfter(t))
                            .map(s -> s.s().guestKey())
                            .distinct()
                            .count();
            best = Math.max(best, guests);
        }
        return best;
    }

    /**
     * The same figures read from an answer, with the formatted ones checked against the raw ones.
     */
    private static Map<String, Object> figures(JsonNode stats) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (String name :
                List.of("sessions", "unique_guests", "unique_devices", "returning_guests")) {
            f.put(name, stats.get(name).asLong());
        }
        JsonNode percentage = stats.get("returning_guests_percentage");
        f.put(
                "returning_guests_percentage",
                percentage.isNull()
                        ? null
                        : percentage.decimalValue().setScale(2, RoundingMode.UNNECESSARY));
        f.put(
                "average_duration_seconds",
                stats.get("average_duration_seconds").isNull()
                        ? null
                        : stats.get("average_duration_seconds").asLong());
        f.put(
                "median_duration_seconds",
                stats.get("median_duration_seconds").isNull()
                        ? null
                        : stats.get("median_duration_seconds").asLong());
        f.put("downloaded_bytes", stats.get("downloaded_bytes").asLong());
        f.put("uploaded_bytes", stats.get("uploaded_bytes").asLong());
        f.put("peak_guests_online", stats.get("peak_guests_online").asLong());
        f.put("guests_online_now", stats.get("guests_online_now").asLong());
        assertEquals(stats.get("sessions").asLong(), stats.get("num_sessions").asLong());
        assertEquals(stats.get("unique_guests").asLong(), stats.get("guests_served").asLong());
        assertEquals(stats.get("average_duration"), stats.get("average_time_served"));
        assertEquals(
                Objects.toString(hms(f.get("median_duration_seconds"))),
                Objects.toString(
                        stats.get("median_duration").isNull()
                                ? null
                                : stats.get("median_duration").asText()));
        return f;
    }

    private static String hms(Object seconds) {
        if (seconds == null) {
            return null;
        }
        long s = (Long) seconds;
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
