package captiva.sessions.query;

import captiva.tenancy.TenantScope;
import captiva.testing.TestDatabase;
import io.micronaut.flyway.FlywayMigrator;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read API's statements use index scans led by tenant_id, on a table big enough that the
 * planner would rather scan than use a poor index. The plans are printed for the README's design notes.
 */
@MicronautTest(transactional = false, startApplication = false)
@DisplayName("query plans")
class QueryPlanTest implements TestPropertyProvider {

    private static final int SESSIONS = 200_000;
    private long tenantId;
    private long locationId;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    /** Two tenants, 50 venues each, sessions every 30 s over the past ~70 days, 1 in 100 still open. */
    @BeforeAll
    void aBigTable(FlywayMigrator migrated) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            for (int tenant = 0; tenant < 2; tenant++) {
                ResultSet t = st.executeQuery("INSERT INTO tenant (name, time_zone) VALUES ('plan tenant', 'UTC') RETURNING id");
                t.next();
                tenantId = t.getLong(1);
                st.execute("INSERT INTO location (tenant_id, name, time_zone) SELECT " + tenantId + ", 'venue ' || i, 'UTC' FROM generate_series(1, 50) i");
                ResultSet l = st.executeQuery("SELECT min(id) FROM location WHERE tenant_id = " + tenantId);
                l.next();
                locationId = l.getLong(1);
                st.execute("""
                        INSERT INTO session (tenant_id, location_id, guest_device_mac, guest_device_ip, start_time, last_update, end_time,
                                             input_octets, output_octets)
                        SELECT %d, %d + i %% 50,
                               CAST(lpad(to_hex(i %% 20000), 12, '0') AS macaddr),
                               inet '10.0.0.0' + (i %% 5000),
                               now() - i * interval '30 seconds', now() - i * interval '30 seconds' + interval '20 minutes',
                               CASE WHEN i %% 100 = 0 THEN NULL ELSE now() - i * interval '30 seconds' + interval '20 minutes' END,
                               i, i * 10
                        FROM generate_series(1, %d) i
                        """.formatted(tenantId, locationId, SESSIONS / 2));
            }
            st.execute("ANALYZE");
        }
    }

    private String plan(SessionQueries.Statement statement) throws SQLException {
        try (Connection c = TestDatabase.connect(); PreparedStatement st = statement.prepare(c, "EXPLAIN ")) {
            return text(st);
        }
    }

    private static String text(PreparedStatement st) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    private void assertIndexScan(String what, String plan, String index) {
        System.out.println("-- " + what + "\n" + plan);
        assertFalse(plan.contains("Seq Scan on session"), what + " scans the table:\n" + plan);
        assertTrue(plan.contains(index), what + " does not use " + index + ":\n" + plan);
    }

    private SessionFilter filter(Long location, String mac, TimeBound start, TimeBound end, Boolean online) {
        return new SessionFilter(null, location, mac, start, end, null, online, false);
    }

    private SessionQueries.Statement page(SessionFilter filter, boolean newestFirst) {
        return new SessionQueries.Statement(SessionQueries.ROWS, TenantScope.wholeTenant(tenantId))
                .where(filter, ZoneOffset.UTC, Instant.now().minusSeconds(660))
                .add(newestFirst ? SessionQueries.NEWEST_FIRST : SessionQueries.OLDEST_FIRST, 11, 0L);
    }

    private SessionQueries.Statement count(SessionFilter filter) {
        return new SessionQueries.Statement(SessionQueries.COUNT, TenantScope.wholeTenant(tenantId))
                .where(filter, ZoneOffset.UTC, Instant.now().minusSeconds(660));
    }

    @Test
    void firstPageOfATenantWalksTheStartIndex() throws SQLException {
        assertIndexScan("GET /sessions", plan(page(filter(null, null, null, null, null), false)), "session_tenant_started_idx");
        assertIndexScan("GET /sessions?last_session_first=true", plan(page(filter(null, null, null, null, null), true)), "session_tenant_started_idx");
    }

    @Test
    void pageOfOneVenueWalksTheVenueIndex() throws SQLException {
        assertIndexScan("GET /sessions?location_id=", plan(page(filter(locationId, null, null, null, null), false)),
                "session_tenant_location_started_idx");
    }

    @Test
    void pageOfOneDeviceUsesTheMacIndex() throws SQLException {
        assertIndexScan("GET /sessions?guest_device_mac=", plan(page(filter(null, "00:00:00:00:00:2a", null, null, null), false)),
                "session_tenant_mac_started_idx");
    }

    @Test
    void onlineCountOfAVenueReadsOnlyOpenSessions() throws SQLException {
        assertIndexScan("GET /sessions/count?online=true&location_id=", plan(count(filter(locationId, null, null, null, true))),
                "session_tenant_open_idx");
    }

    @Test
    void dayCountOfAVenueUsesTheVenueIndex() throws SQLException {
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(3);
        TimeBound bound = new TimeBound(day, null);

        assertIndexScan("GET /sessions/count?location_id=&start_time=D&end_time=D", plan(count(filter(locationId, null, bound, bound, null))),
                "session_tenant_location_started_idx");
    }

    @Test
    void ipLookupUsesTheAddressIndexes() throws SQLException {
        String sql = "EXPLAIN " + String.format(IpHolderLookup.NOW, IpHolderLookup.HOLDER_FIELDS, "");
        try (Connection c = TestDatabase.connect(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(1, c.createArrayOf("text", new String[] {"10.0.0.1", "10.0.0.2", "10.0.19.136"}));
            st.setLong(2, tenantId);
            st.setObject(3, SessionQueries.offset(Instant.now().minusSeconds(660)));
            st.setLong(4, tenantId);

            String plan = text(st);

            assertIndexScan("GET /sessions/{ips}", plan, "session_tenant_open_ip_idx");
            assertTrue(plan.contains("session_tenant_ip_started_idx"), plan);
        }
    }
}
