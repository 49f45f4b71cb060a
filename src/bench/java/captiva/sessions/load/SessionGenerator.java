package captiva.sessions.load;

import captiva.testing.CommandLineOptions;
import captiva.testing.Migrations;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Loads a venue chain's session history straight into PostgreSQL with COPY, for the read benchmark
 * of issue 6. Deterministic for a seed. The shape:
 *
 * <ul>
 *   <li>three tenants (hotels, malls, cafes) sharing the locations 60/30/10, each location in one
 *       of its tenant's time zones;
 *   <li>locations of Zipf-unequal size (weight 1/rank, ranks shuffled across tenants): the busiest
 *       takes about an eighth of all sessions, the quietest a thousandth of that;
 *   <li>1 to 8 NAS per location; every session is a RADIUS one (NAS, Acct-Session-Id);
 *   <li>devices drawn from a per-tenant pool with a heavy skew (a regular comes back thousands of
 *       times, most devices a few times) and roaming between the chain's venues; 60% of devices
 *       belong to a guest who logged in at the portal, two devices per guest;
 *   <li>private addresses from a few shared ranges (10/8, 172.16/12, 192.168/16), so an address is
 *       reused across venues and over time;
 *   <li>closed history over two years up to four hours ago, log-normal durations (median 40 min)
 *       and rates (median 20 kB/s);
 *   <li>1% of the sessions (100,000 of 10,000,000) online: started in the last four hours, open,
 *       heard of in the last four minutes. The reaper closes them after the stale timeout, so the
 *       benchmark calls {@link #refreshOnline} first, as the NAS' Interim-Updates would.
 * </ul>
 *
 * Foreign keys and the triggers are skipped during the COPY ({@code session_replication_role =
 * replica}, when the user may): the generator builds consistent rows, there are no logins to link,
 * and it logs the venue-days for the statistics rollups itself. With {@code rebuildIndexes} the
 * session table's secondary indexes are dropped before the COPY and rebuilt from their own
 * definitions after it.
 *
 * <p>A main class, run by {@code bench/read.sh}; options {@code --name value}: jdbc-url, jdbc-user,
 * jdbc-password, sessions (10,000,000), locations (1,000), seed (1), rebuild-indexes (true from
 * 1,000,000 sessions). Flyway migrates the database first.
 */
public final class SessionGenerator {

    /** What to load; {@code online} of the {@code sessions} are open. */
    public record Config(long sessions, int locations, long seed, boolean rebuildIndexes) {
        public long online() {
            return Math.max(1, sessions / 100);
        }
    }

    /** What was loaded: the tenants by row id, the sessions and guests, the time the load took. */
    public record Generated(
            List<Long> tenantIds, long sessions, long online, long guests, Duration took) {}

    /** Names start with this, so the benchmark finds the generated tenants. */
    public static final String TENANT_PREFIX = "Read benchmark";

    private record TenantShape(String name, int share, List<String> zones) {}

    private static final List<TenantShape> TENANTS =
            List.of(
                    new TenantShape(
                            "hotels",
                            60,
                            List.of(
                                    "Europe/London",
                                    "Europe/Paris",
                                    "America/New_York",
                                    "Asia/Dubai")),
                    new TenantShape(
                            "malls",
                            30,
                            List.of("America/Chicago", "America/Los_Angeles", "America/Sao_Paulo")),
                    new TenantShape(
                            "cafes",
                            10,
                            List.of("Asia/Singapore", "Australia/Sydney", "Asia/Tokyo")));

    private static final Duration HISTORY = Duration.ofDays(730);

    /**
     * Longer than the history: the retention job (13 months by default) would delete its older
     * half.
     */
    private static final int RETENTION_MONTHS = 36;

    private static final Duration ONLINE_SPAN = Duration.ofHours(4);

    /**
     * Online sessions were last heard of within this; well inside the default stale timeout (660
     * s).
     */
    private static final int HEARD_WITHIN_SECONDS = 240;

    private static final int[] RANGE_BASES = {
        10 << 24, (172 << 24) | (16 << 16), (192 << 24) | (168 << 16)
    };
    private static final String[] TERMINATE_CAUSES = {
        "Idle-Timeout", "User-Request", "Session-Timeout", "Lost-Carrier"
    };
    private static final String[] LOGIN_TYPES = {"Email", "Social", "Room number"};

    private static final String SESSION_COLUMNS =
            "tenant_id, location_id, nas_id, acct_session_id, username, guest_id, "
                    + "guest_device_mac, guest_device_ip, login_type_name, service_profile_name, access_code, start_time, "
                    + "last_update, end_time, input_octets, output_octets, session_time, terminate_cause";

    private final Connection connection;
    private final Config config;
    private final SplittableRandom random;
    private final long nowMillis = Instant.now().toEpochMilli();

    /**
     * One venue: its tenant (index into TENANTS), row id, Zipf rank, NAS row ids, address range.
     */
    private record Venue(int tenant, long id, int rank, long[] nas, int rangeBase, int rangeSize) {}

    private final List<Venue> venues = new ArrayList<>();
    private final long[] tenantIds = new long[TENANTS.size()];
    private final long[] devicePool = new long[TENANTS.size()];
    private final long[] guestIdBase = new long[TENANTS.size()];
    private double[] cumulativeWeight;

    private SessionGenerator(Connection connection, Config config) {
        this.connection = connection;
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = CommandLineOptions.parse(args);
        String url = required(options, "jdbc-url");
        long sessions = Long.parseLong(options.getOrDefault("sessions", "10000000"));
        Config config =
                new Config(
                        sessions,
                        Integer.parseInt(options.getOrDefault("locations", "1000")),
                        Long.parseLong(options.getOrDefault("seed", "1")),
                        Boolean.parseBoolean(
                                options.getOrDefault(
                                        "rebuild-indexes", String.valueOf(sessions >= 1_000_000))));
        String user = options.getOrDefault("jdbc-user", "postgres");
        String password = options.getOrDefault("jdbc-password", "");
        Migrations.migrate(url, user, password);
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            Generated generated = load(c, config);
            System.out.printf(
                    "loaded %,d sessions (%,d online) and %,d guests for tenants %s in %d s%n",
                    generated.sessions(),
                    generated.online(),
                    generated.guests(),
                    generated.tenantIds(),
                    generated.took().toSeconds());
        }
    }

    /** Loads the data into an already migrated database; the connection is left in autocommit. */
    public static Generated load(Connection connection, Config config) throws SQLException {
        long started = System.nanoTime();
        SessionGenerator generator = new SessionGenerator(connection, config);
        connection.setAutoCommit(false); // one commit for thousands of small inserts
        generator.venues();
        long guests = generator.guests();
        connection.commit();
        connection.setAutoCommit(true);
        generator.sessions();
        try (Statement st = connection.createStatement()) {
            for (String table : List.of("tenant", "location", "nas", "guest", "session")) {
                st.execute(
                        "VACUUM (ANALYZE) "
                                + table); // also sets the visibility map for index-only scans
            }
        }
        List<Long> tenants = Arrays.stream(generator.tenantIds).boxed().toList();
        return new Generated(
                tenants,
                config.sessions(),
                config.online(),
                guests,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Marks the generated online sessions as heard of in the last minutes, as Interim-Updates
     * would, so that they count as online however long ago they were loaded. Returns how many.
     * Spread by id from a time given as epoch seconds: Citus refuses random(), and now() or a
     * timestamptz's arithmetic (stable functions) on a column, in an UPDATE of a distributed table.
     */
    public static int refreshOnline(Connection connection, List<Long> tenantIds)
            throws SQLException {
        try (PreparedStatement st =
                connection.prepareStatement(
                        """
                UPDATE session SET last_update = GREATEST(start_time, to_timestamp(? - id %% %d))
                WHERE tenant_id = ANY (?) AND end_time IS NULL
                """
                                .formatted(HEARD_WITHIN_SECONDS))) {
            st.setLong(1, Instant.now().getEpochSecond());
            st.setArray(2, connection.createArrayOf("bigint", tenantIds.toArray(Long[]::new)));
            return st.executeUpdate();
        }
    }

    private void venues() throws SQLException {
        int count = config.locations();
        int[] ranks = new int[count];
        for (int i = 0; i < count; i++) {
            ranks[i] = i;
        }
        for (int i = count - 1; i > 0; i--) { // Fisher-Yates: the busiest venues fall in any tenant
            int j = random.nextInt(i + 1);
            int swap = ranks[i];
            ranks[i] = ranks[j];
            ranks[j] = swap;
        }
        try (PreparedStatement tenant =
                        connection.prepareStatement(
                                "INSERT INTO tenant (name, time_zone, retention_months) VALUES (?, ?, ?) RETURNING id");
                PreparedStatement location =
                        connection.prepareStatement(
                                "INSERT INTO location (tenant_id, name, time_zone) VALUES (?, ?, ?) RETURNING id");
                PreparedStatement nas =
                        connection.prepareStatement(
                                "INSERT INTO nas (tenant_id, location_id, ip_address, identifier, secret) VALUES (?, ?, CAST(? AS inet), ?, 'bench') RETURNING id")) {
            int next = 0;
            for (int t = 0; t < TENANTS.size(); t++) {
                TenantShape shape = TENANTS.get(t);
                tenant.setString(1, TENANT_PREFIX + " seed " + config.seed() + ": " + shape.name());
                tenant.setString(2, shape.zones().get(0));
                tenant.setInt(3, RETENTION_MONTHS);
                tenantIds[t] = returnedId(tenant);
                int share = t == TENANTS.size() - 1 ? count - next : count * shape.share() / 100;
                for (int v = 0; v < share; v++, next++) {
                    int rank = ranks[next];
                    location.setLong(1, tenantIds[t]);
                    location.setString(2, shape.name() + " venue " + (v + 1));
                    location.setString(3, shape.zones().get(v % shape.zones().size()));
                    long locationId = returnedId(location);
                    long[] nasIds = new long[rank < 10 ? 8 : rank < 100 ? 4 : 1];
                    for (int k = 0; k < nasIds.length; k++) {
                        nas.setLong(1, tenantIds[t]);
                        nas.setLong(2, locationId);
                        nas.setString(3, "100.64." + (next % 250) + "." + (k + 1));
                        nas.setString(4, "read-bench-" + locationId + "-" + k);
                        nasIds[k] = returnedId(nas);
                    }
                    venues.add(
                            new Venue(
                                    t,
                                    locationId,
                                    rank,
                                    nasIds,
                                    RANGE_BASES[rank % RANGE_BASES.length],
                                    rank < 100 ? 4096 : 1024));
                }
            }
        }
        cumulativeWeight = new double[venues.size()];
        double total = 0;
        double[] tenantWeight = new double[TENANTS.size()];
        for (int i = 0; i < venues.size(); i++) {
            double weight = 1.0 / (venues.get(i).rank() + 1);
            total += weight;
            tenantWeight[venues.get(i).tenant()] += weight;
            cumulativeWeight[i] = total;
        }
        for (int t = 0; t < TENANTS.size(); t++) {
            // about four sessions per device on average, heavily skewed by device() below
            devicePool[t] = Math.max(16, (long) (config.sessions() * tenantWeight[t] / total / 4));
        }
    }

    private static long returnedId(PreparedStatement st) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Two devices per guest: guest g owns devices 2g and 2g+1 (when they logged in at all). */
    private long guests() throws SQLException {
        long total = 0;
        for (int t = 0; t < TENANTS.size(); t++) {
            long count = (devicePool[t] + 1) / 2;
            guestIdBase[t] = reserveGuestIds(count);
            total += count;
            try (Copy copy =
                    new Copy(
                            connection,
                            "COPY guest (id, tenant_id, username, name, email, yas_id) FROM STDIN")) {
                for (long g = 0; g < count; g++) {
                    long id = guestIdBase[t] + g;
                    StringBuilder row = copy.row();
                    row.append(id)
                            .append('\t')
                            .append(tenantIds[t])
                            .append('\t')
                            .append("guest")
                            .append(id)
                            .append('\t')
                            .append("Guest ")
                            .append(id)
                            .append('\t')
                            .append("guest")
                            .append(id)
                            .append("@example.net")
                            .append('\t');
                    if (g % 3 == 0) {
                        row.append("yas-").append(id);
                    } else {
                        row.append("\\N");
                    }
                    copy.endRow();
                }
            }
        }
        return total;
    }

    /**
     * Takes a block of the identity sequence; COPY may set identity values, and then the sequence
     * must skip them.
     */
    private long reserveGuestIds(long count) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                """
                SELECT setval(pg_get_serial_sequence('guest', 'id'), nextval(pg_get_serial_sequence('guest', 'id')) + %d) - %d
                """
                                        .formatted(count, count))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void sessions() throws SQLException {
        List<String> dropped = config.rebuildIndexes() ? dropSecondaryIndexes() : List.of();
        try (Statement st = connection.createStatement()) {
            skipTriggers(st);
            long online = config.online();
            long history = config.sessions() - online;
            long historyEnd = nowMillis - ONLINE_SPAN.toMillis();
            double step =
                    (double) (HISTORY.toMillis() - ONLINE_SPAN.toMillis()) / Math.max(1, history);
            double onlineStep = (double) ONLINE_SPAN.toMillis() / online;
            try (Copy copy =
                    new Copy(connection, "COPY session (" + SESSION_COLUMNS + ") FROM STDIN")) {
                for (long i = 0; i < history; i++) {
                    long start =
                            historyEnd
                                    - HISTORY.toMillis()
                                    + ONLINE_SPAN.toMillis()
                                    + (long) ((i + random.nextDouble()) * step);
                    session(copy, i, start, false);
                }
                for (long j = 0; j < online; j++) {
                    long start = historyEnd + (long) ((j + random.nextDouble()) * onlineStep);
                    session(copy, history + j, Math.min(start, nowMillis - 1000), true);
                }
            }
            st.execute("RESET session_replication_role");
            logVenueDays();
            if (!dropped.isEmpty()) {
                st.execute("SET maintenance_work_mem = '1GB'");
                for (String definition : dropped) {
                    st.execute(definition);
                }
                st.execute("RESET maintenance_work_mem");
            }
        }
    }

    /**
     * Logs every venue-day of the generated ended sessions for the statistics rollups, as V9 did
     * for the sessions stored before it: the COPY skipped the triggers that log them, and a day
     * neither rolled up nor logged reads as empty. The refresher then builds the rollups
     * (ReadBenchmark waits).
     */
    private void logVenueDays() throws SQLException {
        try (PreparedStatement st =
                connection.prepareStatement(
                        """
                INSERT INTO venue_day_dirty (tenant_id, location_id, day)
                SELECT DISTINCT s.tenant_id, s.location_id, (s.start_time AT TIME ZONE l.time_zone)::date
                FROM session s JOIN location l ON l.tenant_id = s.tenant_id AND l.id = s.location_id
                WHERE s.tenant_id = ANY (?) AND s.end_time IS NOT NULL
                """)) {
            st.setArray(
                    1,
                    connection.createArrayOf(
                            "bigint", Arrays.stream(tenantIds).boxed().toArray(Long[]::new)));
            st.executeUpdate();
        }
    }

    private static void skipTriggers(Statement st) {
        try {
            st.execute("SET session_replication_role = replica");
        } catch (SQLException notSuperuser) {
            // Then foreign keys are checked and the trigger runs (finding no login): slower, same
            // rows.
        }
    }

    private List<String> dropSecondaryIndexes() throws SQLException {
        List<String> definitions = new ArrayList<>();
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery(
                            """
                    SELECT i.indexname, i.indexdef FROM pg_indexes i
                    WHERE i.schemaname = current_schema() AND i.tablename = 'session'
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = 'session'::regclass AND c.conname = i.indexname)
                    """)) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                    definitions.add(rs.getString(2));
                }
                for (String name : names) {
                    st.execute("DROP INDEX \"" + name + "\"");
                }
            }
        }
        return definitions;
    }

    private void session(Copy copy, long n, long start, boolean online) throws SQLException {
        Venue venue = venue();
        int t = venue.tenant();
        double u = random.nextDouble();
        long device = (long) (devicePool[t] * u * u); // regulars: the first devices come back most
        boolean hasGuest =
                (mix(config.seed() ^ ((long) t << 56) ^ device) & 0xff) < 154; // 60% of devices
        long guestId = guestIdBase[t] + device / 2;
        long end;
        long lastUpdate;
        if (online) {
            lastUpdate = Math.max(start, nowMillis - random.nextInt(HEARD_WITHIN_SECONDS * 1000));
            end = -1;
        } else {
            double seconds = Math.exp(Math.log(2400) + random.nextGaussian());
            long duration = (long) (Math.min(86_400, Math.max(20, seconds)) * 1000);
            end = Math.min(start + duration, nowMillis - 60_000);
            lastUpdate = end;
        }
        long elapsed = (lastUpdate - start) / 1000;
        long output = (long) (elapsed * Math.exp(Math.log(20_000) + 1.2 * random.nextGaussian()));
        long input = (long) (output * (0.05 + 0.25 * random.nextDouble()));

        StringBuilder row = copy.row();
        row.append(tenantIds[t])
                .append('\t')
                .append(venue.id())
                .append('\t')
                .append(venue.nas()[random.nextInt(venue.nas().length)])
                .append('\t')
                .append(Long.toHexString(0x1000_0000L + n))
                .append('\t');
        if (hasGuest) {
            row.append("guest").append(guestId).append('\t').append(guestId);
        } else if (t == 0 && random.nextInt(10) < 3) {
            row.append("room-").append(100 + random.nextInt(900)).append("\t\\N");
        } else {
            row.append("\\N\t\\N");
        }
        row.append('\t');
        mac(row, mix(config.seed() ^ ((long) t << 48) ^ (device * 0x9E3779B97F4A7C15L)));
        row.append('\t');
        ip(row, venue.rangeBase() + 2 + random.nextInt(venue.rangeSize() - 4));
        row.append('\t')
                .append(
                        hasGuest
                                ? LOGIN_TYPES[(int) (device % LOGIN_TYPES.length)]
                                : "Click-through")
                .append('\t')
                .append(random.nextInt(100) < 15 ? "Premium" : "Free")
                .append('\t');
        if (random.nextInt(100) < 3) {
            row.append("AC").append(100_000 + random.nextInt(900_000));
        } else {
            row.append("\\N");
        }
        row.append('\t');
        Timestamps.append(row, start);
        row.append('\t');
        Timestamps.append(row, lastUpdate);
        row.append('\t');
        if (online) {
            row.append("\\N");
        } else {
            Timestamps.append(row, end);
        }
        row.append('\t')
                .append(input)
                .append('\t')
                .append(output)
                .append('\t')
                .append(elapsed)
                .append('\t')
                .append(online ? "\\N" : TERMINATE_CAUSES[random.nextInt(TERMINATE_CAUSES.length)]);
        copy.endRow();
    }

    private Venue venue() {
        double x = random.nextDouble() * cumulativeWeight[cumulativeWeight.length - 1];
        int i = Arrays.binarySearch(cumulativeWeight, x);
        return venues.get(Math.min(venues.size() - 1, i >= 0 ? i : -i - 1));
    }

    /** A unicast MAC address from 48 bits of the hash. */
    private static void mac(StringBuilder row, long bits) {
        for (int octet = 0; octet < 6; octet++) {
            int value = (int) (bits >>> (40 - 8 * octet)) & 0xff;
            if (octet == 0) {
                value &= 0xfe;
            } else {
                row.append(':');
            }
            row.append(Character.forDigit(value >>> 4, 16))
                    .append(Character.forDigit(value & 0xf, 16));
        }
    }

    private static void ip(StringBuilder row, int address) {
        row.append(address >>> 24)
                .append('.')
                .append((address >>> 16) & 0xff)
                .append('.')
                .append((address >>> 8) & 0xff)
                .append('.')
                .append(address & 0xff);
    }

    /** SplitMix64's finalizer: a well-spread hash of a number. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** UTC timestamps in COPY's text form, millisecond precision, with the day's text cached. */
    private static final class Timestamps {
        private static long cachedDay = Long.MIN_VALUE;
        private static String cachedText;

        static void append(StringBuilder row, long epochMillis) {
            long day = Math.floorDiv(epochMillis, 86_400_000L);
            if (day != cachedDay) {
                cachedDay = day;
                cachedText = LocalDate.ofEpochDay(day).toString();
            }
            int millisOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
            row.append(cachedText).append(' ');
            two(row, millisOfDay / 3_600_000);
            row.append(':');
            two(row, millisOfDay / 60_000 % 60);
            row.append(':');
            two(row, millisOfDay / 1000 % 60);
            row.append('.');
            int millis = millisOfDay % 1000;
            row.append((char) ('0' + millis / 100))
                    .append((char) ('0' + millis / 10 % 10))
                    .append((char) ('0' + millis % 10));
            row.append("+00");
        }

        private static void two(StringBuilder row, int value) {
            row.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
        }
    }

    /** A COPY FROM STDIN fed in 1 MB chunks of text rows. */
    private static final class Copy implements AutoCloseable {
        private final CopyIn copy;
        private final StringBuilder buffer = new StringBuilder(1 << 21);

        Copy(Connection connection, String sql) throws SQLException {
            copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        }

        StringBuilder row() {
            return buffer;
        }

        void endRow() throws SQLException {
            buffer.append('\n');
            if (buffer.length() >= 1 << 20) {
                flush();
            }
        }

        private void flush() throws SQLException {
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.US_ASCII);
            copy.writeToCopy(bytes, 0, bytes.length);
            buffer.setLength(0);
        }

        @Override
        public void close() throws SQLException {
            flush();
            copy.endCopy();
        }
    }

    static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
