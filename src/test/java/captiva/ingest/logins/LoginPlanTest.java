package captiva.ingest.logins;

import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.sessions.LatestLogin;
import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Linking stays a few index descents however many sessions and logins there are: the lookup a
 * session insert makes for every new session, and the update a login runs, on tables big enough
 * that the planner would rather scan than use a poor index. The plans are printed.
 */
@DisplayName("login query plans")
class LoginPlanTest extends PlanTest {

    private static final int SESSIONS = 100_000;
    private static final int LOGINS = 20_000;
    private long tenantId;
    private long locationId;
    private long loginId;

    /**
     * One tenant, 50 venues, 5,000 guests who come back: sessions every 30 s and a login every 2
     * minutes.
     */
    @BeforeAll
    void bigTables() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            Tenant t = tenantWithVenues(st, "login plan tenant", 50);
            tenantId = t.id();
            locationId = t.firstLocationId();
            st.execute(
                    """
                    INSERT INTO session (tenant_id, location_id, username, guest_device_mac, start_time, last_update, end_time)
                    SELECT %d, %d + i %% 50, 'guest' || (i %% 5000), CAST(lpad(to_hex(i %% 5000), 12, '0') AS macaddr),
                           now() - i * interval '30 seconds', now() - i * interval '30 seconds' + interval '20 minutes',
                           CASE WHEN i %% 100 = 0 THEN NULL ELSE now() - i * interval '30 seconds' + interval '20 minutes' END
                    FROM generate_series(1, %d) i
                    """
                            .formatted(tenantId, locationId, SESSIONS));
            ResultSet inserted =
                    st.executeQuery(
                            """
                    INSERT INTO login (tenant_id, location_id, username, guest_device_mac, login_type_name, login_time)
                    SELECT %d, %d + i %% 50, 'guest' || (i %% 5000), CAST(lpad(to_hex(i %% 5000), 12, '0') AS macaddr),
                           'Registration', now() - i * interval '2 minutes'
                    FROM generate_series(1, %d) i
                    RETURNING id
                    """
                                    .formatted(tenantId, locationId, LOGINS));
            inserted.next();
            loginId = inserted.getLong(1);
            st.execute("ANALYZE");
        }
    }

    @Test
    void newSessionFindsItsLatestLoginWithOneDescentPerIdentifier() throws SQLException {
        try (Connection c = connect();
                PreparedStatement st =
                        c.prepareStatement(
                                "EXPLAIN SELECT l.* FROM (SELECT CAST(? AS bigint), CAST(? AS bigint), CAST(? AS text),"
                                        + " CAST(? AS macaddr), CAST(? AS timestamptz), CAST(? AS timestamptz))"
                                        + " e(tenant_id, location_id, username, mac, start_time, end_time)"
                                        + " CROSS JOIN LATERAL "
                                        + LatestLogin.of(
                                                "e.tenant_id",
                                                "e.location_id",
                                                "e.username",
                                                "e.mac",
                                                "login_window_end(e.start_time, e.end_time)")
                                        + " l")) {
            st.setLong(1, tenantId);
            st.setLong(2, locationId);
            st.setString(3, "guest42");
            st.setString(4, "00:00:00:00:00:2a");
            st.setObject(5, OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC));
            st.setObject(6, null);

            String plan = text(st);

            assertNoTableScan(
                    "new session: its latest login",
                    plan,
                    "login_tenant_location_username_time_idx",
                    "login_tenant_location_mac_time_idx");
            assertTrue(plan.contains("Index Scan Backward"), plan);
        }
    }

    @Test
    void loginLinksByTheUsernameAndMacIndexesOfSessions() throws SQLException {
        try (Connection c = connect();
                PreparedStatement st = c.prepareStatement("EXPLAIN " + LoginStore.LINK)) {
            st.setLong(1, tenantId);
            st.setLong(2, loginId);
            st.setLong(3, tenantId);
            st.setLong(4, tenantId);

            String plan = text(st);

            assertNoTableScan(
                    "POST /ingest/logins: link",
                    plan,
                    "login_pkey",
                    "session_tenant_username_started_idx",
                    "session_tenant_mac_started_idx",
                    "login_tenant_location_username_time_idx",
                    "login_tenant_location_mac_time_idx");
        }
    }
}
