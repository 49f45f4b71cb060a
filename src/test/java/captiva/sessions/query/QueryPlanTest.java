package captiva.sessions.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.query.TimeBound;
import captiva.common.sql.SqlTimes;
import captiva.common.sql.Statement;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The read API's statements use index scans led by tenant_id, on a table big enough that the
 * planner would rather scan than use a poor index. The plans are printed for the README's design
 * notes.
 */
@DisplayName("query plans")
class QueryPlanTest extends PlanTest {

    private static final int SESSIONS = 200_000;
    private long tenantId;
    private long locationId;
    private long guestId;

    /**
     * Two tenants, 50 venues and 200 known guests each, sessions every 30 s over the past ~35 days,
     * 1 in 25 of a known guest; 1 in 4 of the last 20,000 still online (5,000 a tenant, as in a
     * busy chain; the reaper closes the rest).
     */
    @BeforeAll
    void aBigTable() throws SQLException {
        try (Connection c = connect();
                java.sql.Statement st = c.createStatement()) {
            for (int tenant = 0; tenant < 2; tenant++) {
                Tenant t = tenantWithVenues(st, "plan tenant", 50);
                tenantId = t.id();
                locationId = t.firstLocationId();
                st.execute(
                        "INSERT INTO guest (tenant_id, yas_id) SELECT "
                                + tenantId
                                + ", 'yas-' || i FROM generate_series(1, 200) i");
                ResultSet g =
                        st.executeQuery("SELECT min(id) FROM guest WHERE tenant_id = " + tenantId);
                g.next();
                guestId = g.getLong(1) + 42;
                st.execute(
                        """
                        INSERT INTO session (tenant_id, location_id, guest_id, guest_device_mac, guest_device_ip, start_time, last_update, end_time,
                                             input_octets, output_octets)
                        SELECT %1$d, %2$d + i %% 50, CASE WHEN i %% 25 = 0 THEN %3$d + (i / 25) %% 200 END,
                               CAST(lpad(to_hex(i %% 20000), 12, '0') AS macaddr),
                               inet '10.0.0.0' + (i %% 5000),
                               now() - i * interval '30 seconds',
                               CASE WHEN i %% 4 = 0 AND i < 20000 THEN now() ELSE now() - i * interval '30 seconds' + interval '20 minutes' END,
                               CASE WHEN i %% 4 = 0 AND i < 20000 THEN NULL ELSE now() - i * interval '30 seconds' + interval '20 minutes' END,
                               i, i * 10
                        FROM generate_series(1, %4$d) i
                        """
                                .formatted(tenantId, locationId, g.getLong(1), SESSIONS / 2));
            }
            st.execute("ANALYZE");
        }
    }

    private SessionFilter filter(
            Long location, String mac, TimeBound start, TimeBound end, Boolean online) {
        return new SessionFilter(null, location, mac, start, end, null, online, false);
    }

    private Statement page(SessionFilter filter, boolean newestFirst) {
        return SessionSelection.matching(
                        SessionQueries.ROWS,
                        TenantScope.wholeTenant(tenantId),
                        filter,
                        ZoneOffset.UTC,
                        Instant.now().minusSeconds(660))
                .add(
                        newestFirst ? SessionQueries.NEWEST_FIRST : SessionQueries.OLDEST_FIRST,
                        11,
                        0L);
    }

    private Statement count(SessionFilter filter) {
        return SessionSelection.matching(
                SessionQueries.COUNT,
                TenantScope.wholeTenant(tenantId),
                filter,
                ZoneOffset.UTC,
                Instant.now().minusSeconds(660));
    }

    /** A page of a keyset walk: the first one, or the one after {@code after}. */
    private Statement keysetPage(SessionFilter filter, boolean newestFirst, PageCursor after) {
        Statement statement =
                SessionSelection.matching(
                        SessionQueries.ROWS,
                        TenantScope.wholeTenant(tenantId),
                        filter,
                        ZoneOffset.UTC,
                        Instant.now().minusSeconds(660));
        if (after == null) {
            return statement.add(
                    newestFirst
                            ? SessionQueries.NEWEST_FIRST_FROM_START
                            : SessionQueries.OLDEST_FIRST_FROM_START,
                    11);
        }
        return statement.add(
                newestFirst ? SessionQueries.NEWEST_FIRST_AFTER : SessionQueries.OLDEST_FIRST_AFTER,
                after.startTime(),
                after.id(),
                11);
    }

    private static final Pattern ACTUAL_ROWS = Pattern.compile("actual rows=(\\d+) loops=(\\d+)");
    private static final Pattern REMOVED = Pattern.compile("Rows Removed by \\w+( \\w+)?: (\\d+)");

    /**
     * The rows that the plan's scans of session returned or read and threw away: what the page
     * cost.
     */
    private static long sessionRowsRead(String plan) {
        long read = 0;
        boolean inSessionScan = false;
        for (String line : plan.split("\n")) {
            Matcher actual = ACTUAL_ROWS.matcher(line);
            if (actual
                    .find()) { // a plan node: the counts below it, up to the next node, are its own
                inSessionScan = line.contains(" on session s ");
                if (inSessionScan) {
                    read += Long.parseLong(actual.group(1)) * Long.parseLong(actual.group(2));
                }
            } else {
                Matcher removed = REMOVED.matcher(line);
                if (inSessionScan && removed.find()) {
                    read += Long.parseLong(removed.group(2));
                }
            }
        }
        return read;
    }

    /** Each filter of GET /sessions alone, as SessionFilter.parse gives it. */
    private SessionFilter onlyFilter(String name) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return switch (name) {
            case "none" -> new SessionFilter(null, null, null, null, null, null, null, false);
            case "guest_id" ->
                    new SessionFilter(guestId, null, null, null, null, null, null, false);
            case "location_id" ->
                    new SessionFilter(null, locationId, null, null, null, null, null, false);
            case "guest_device_mac" ->
                    new SessionFilter(
                            null, null, "00:00:00:00:00:2a", null, null, null, null, false);
            case "start_time" ->
                    new SessionFilter(
                            null,
                            null,
                            null,
                            new TimeBound(today.minusDays(30), null),
                            null,
                            null,
                            null,
                            false);
            case "end_time" ->
                    new SessionFilter(
                            null,
                            null,
                            null,
                            null,
                            new TimeBound(today.minusDays(10), null),
                            null,
                            null,
                            false);
            case "yas_id" -> new SessionFilter(null, null, null, null, null, "yas-43", null, false);
            case "online=true" ->
                    new SessionFilter(null, null, null, null, null, null, true, false);
            case "online=false" ->
                    new SessionFilter(null, null, null, null, null, null, false, false);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Stream<Arguments> everySingleFilterInBothOrders() {
        return Stream.of(
                        "none",
                        "guest_id",
                        "location_id",
                        "guest_device_mac",
                        "start_time",
                        "end_time",
                        "yas_id",
                        "online=true",
                        "online=false")
                .flatMap(
                        filter ->
                                Stream.of(Arguments.of(filter, false), Arguments.of(filter, true)));
    }

    /**
     * Each filter alone reads about a page of rows: on the first page, by number or by cursor, and
     * on a cursor page in the middle of ~35 days of history, where the position is an index range
     * condition and there is no OFFSET to skip. 200 rows at most for the 11 wanted; an OFFSET page
     * at that depth reads and throws away every row before it (about 50,000 here).
     */
    @ParameterizedTest(name = "{0}, last_session_first={1}")
    @MethodSource("everySingleFilterInBothOrders")
    void firstAndDeepCursorPagesReadAboutOnePage(String filterName, boolean newestFirst)
            throws SQLException {
        SessionFilter filter = onlyFilter(filterName);
        PageCursor middle =
                new PageCursor(
                        0,
                        Instant.now().minus(17, ChronoUnit.DAYS),
                        newestFirst ? Long.MAX_VALUE : 0);

        String query = "GET /sessions?" + filterName + "&last_session_first=" + newestFirst;
        assertReadsAboutOnePage(query + "&page=1", page(filter, newestFirst));
        assertReadsAboutOnePage(query + "&cursor=", keysetPage(filter, newestFirst, null));
        assertReadsAboutOnePage(
                query + "&cursor=<middle>", keysetPage(filter, newestFirst, middle));
    }

    private void assertReadsAboutOnePage(String what, Statement statement) throws SQLException {
        String plan = analyzed(statement);

        assertIndexScans(what, plan, "using session_tenant_");
        assertTrue(
                sessionRowsRead(plan) <= 200,
                what + " reads " + sessionRowsRead(plan) + " sessions:\n" + plan);
    }

    @Test
    void deepCursorPageIsAnIndexRangeWithoutOffset() throws SQLException {
        PageCursor middle = new PageCursor(0, Instant.now().minus(17, ChronoUnit.DAYS), 0);
        Statement deep = keysetPage(onlyFilter("location_id"), false, middle);
        String plan = analyzed(deep);

        assertIndexScans(
                "GET /sessions?location_id=&cursor=<middle>",
                plan,
                "session_tenant_location_started_idx");
        assertFalse(
                plan(deep).contains("OFFSET")
                        || SessionQueries.OLDEST_FIRST_AFTER.contains("OFFSET"));
        assertTrue(
                plan.matches("(?s).*Index Cond: .*ROW\\(start_time, id\\) > ROW.*"),
                "the position is not in the index condition:\n" + plan);
        assertEquals(11, sessionRowsRead(plan), plan);
    }

    @Test
    void firstPageOfATenantWalksTheStartIndex() throws SQLException {
        assertIndexScans(
                "GET /sessions",
                plan(page(filter(null, null, null, null, null), false)),
                "session_tenant_started_idx");
        assertIndexScans(
                "GET /sessions?last_session_first=true",
                plan(page(filter(null, null, null, null, null), true)),
                "session_tenant_started_idx");
    }

    @Test
    void pageOfOneVenueWalksTheVenueIndex() throws SQLException {
        assertIndexScans(
                "GET /sessions?location_id=",
                plan(page(filter(locationId, null, null, null, null), false)),
                "session_tenant_location_started_idx");
    }

    @Test
    void pageOfOneDeviceUsesTheMacIndex() throws SQLException {
        assertIndexScans(
                "GET /sessions?guest_device_mac=",
                plan(page(filter(null, "00:00:00:00:00:2a", null, null, null), false)),
                "session_tenant_mac_started_idx");
    }

    @Test
    void onlineCountOfAVenueReadsOnlyOpenSessions() throws SQLException {
        assertIndexScans(
                "GET /sessions/count?online=true&location_id=",
                plan(count(filter(locationId, null, null, null, true))),
                "session_tenant_open_idx");
    }

    @Test
    void dayCountOfAVenueUsesTheVenueIndex() throws SQLException {
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(3);
        TimeBound bound = new TimeBound(day, null);

        assertIndexScans(
                "GET /sessions/count?location_id=&start_time=D&end_time=D",
                plan(count(filter(locationId, null, bound, bound, null))),
                "session_tenant_location_started_idx");
    }

    @Test
    void ipLookupUsesTheAddressIndexes() throws SQLException {
        String sql =
                "EXPLAIN "
                        + String.format(
                                IpHolderLookup.NOW,
                                IpHolderLookup.HOLDER_FIELDS,
                                "",
                                IpHolderLookup.ONLINE);
        try (Connection c = connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(
                    1,
                    c.createArrayOf("text", new String[] {"10.0.0.1", "10.0.0.2", "10.0.19.136"}));
            st.setLong(2, tenantId);
            st.setObject(3, SqlTimes.offset(Instant.now().minusSeconds(660)));
            st.setLong(4, tenantId);

            String plan = text(st);

            assertIndexScans("GET /sessions/{ips}", plan, "session_tenant_open_ip_idx");
            assertTrue(plan.contains("session_tenant_ip_started_idx"), plan);
        }
    }
}
