package captiva.guests.query;

import captiva.common.paging.PageRequest;
import captiva.common.query.TimeBound;
import captiva.common.sql.Statement;
import captiva.sessions.query.SessionQueries;
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
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /guests reads guests through tenant-led indexes and aggregates each guest's sessions on the
 * (tenant, guest) index, on tables big enough that the planner would rather scan than use a poor
 * index. The plans are printed for the README's design notes.
 */
@MicronautTest(transactional = false, startApplication = false)
@DisplayName("guest query plans")
class GuestQueryPlanTest implements TestPropertyProvider {

    private static final int GUESTS = 20_000;
    private static final int SESSIONS = 200_000;
    private long tenantId;
    private long locationId;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    /** Two tenants, 50 venues each, 20,000 guests each with ~10 sessions (1 in 5 anonymous), 1 in 100 still open. */
    @BeforeAll
    void bigTables(FlywayMigrator migrated) throws SQLException {
        try (Connection c = TestDatabase.connect(); java.sql.Statement st = c.createStatement()) {
            for (int tenant = 0; tenant < 2; tenant++) {
                ResultSet t = st.executeQuery("INSERT INTO tenant (name, time_zone) VALUES ('guest plan tenant', 'UTC') RETURNING id");
                t.next();
                tenantId = t.getLong(1);
                st.execute("INSERT INTO location (tenant_id, name, time_zone) SELECT " + tenantId + ", 'venue ' || i, 'UTC' FROM generate_series(1, 50) i");
                ResultSet l = st.executeQuery("SELECT min(id) FROM location WHERE tenant_id = " + tenantId);
                l.next();
                locationId = l.getLong(1);
                st.execute("""
                        INSERT INTO guest (tenant_id, username, name, email, yas_id)
                        SELECT %d, 'u' || i, 'Guest ' || i, 'guest' || i || '@example.org', 'yas-' || i FROM generate_series(1, %d) i
                        """.formatted(tenantId, GUESTS));
                ResultSet g = st.executeQuery("SELECT min(id) FROM guest WHERE tenant_id = " + tenantId);
                g.next();
                long firstGuest = g.getLong(1);
                st.execute("""
                        INSERT INTO session (tenant_id, location_id, guest_id, start_time, last_update, end_time, input_octets, output_octets)
                        SELECT %d, %d + (i %% %d) %% 50, CASE WHEN i %% 5 = 0 THEN NULL ELSE %d + i %% %d END,
                               now() - i * interval '30 seconds', now() - i * interval '30 seconds' + interval '20 minutes',
                               CASE WHEN i %% 100 = 0 THEN NULL ELSE now() - i * interval '30 seconds' + interval '20 minutes' END,
                               i, i * 10
                        FROM generate_series(1, %d) i
                        """.formatted(tenantId, locationId, GUESTS, firstGuest, GUESTS, SESSIONS / 2));
            }
            st.execute("ANALYZE");
        }
    }

    private static GuestFilter filter(String email, Long location, TimeBound lastSeenFrom, Boolean online) {
        return new GuestFilter(null, email, null, location, lastSeenFrom, null, online, false);
    }

    private String plan(Statement statement) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (Connection c = TestDatabase.connect(); PreparedStatement st = statement.prepare(c, "EXPLAIN ");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    private String page(TenantScope scope, GuestFilter filter) throws SQLException {
        return plan(GuestQueries.page(scope, filter, ZoneOffset.UTC, Instant.now().minusSeconds(660), new PageRequest(1, 10, false)));
    }

    private String count(TenantScope scope, GuestFilter filter) throws SQLException {
        return plan(GuestQueries.count(scope, filter, ZoneOffset.UTC, Instant.now().minusSeconds(660)));
    }

    private static void assertIndexScans(String what, String plan, String... indexes) {
        System.out.println("-- " + what + "\n" + plan);
        assertFalse(plan.contains("Seq Scan on session"), what + " scans the sessions:\n" + plan);
        for (String index : indexes) {
            assertTrue(plan.contains(index), what + " does not use " + index + ":\n" + plan);
        }
    }

    @Test
    void firstPageWalksGuestsInIdOrderAndAggregatesOnTheGuestIndex() throws SQLException {
        assertIndexScans("GET /guests", page(TenantScope.wholeTenant(tenantId), filter(null, null, null, null)),
                "session_tenant_guest_started_idx");
    }

    @Test
    void emailFindsTheGuestByItsIndex() throws SQLException {
        assertIndexScans("GET /guests?email=", page(TenantScope.wholeTenant(tenantId), filter("GUEST42@example.org", null, null, null)),
                "guest_tenant_email_idx", "session_tenant_guest_started_idx");
    }

    @Test
    void visitorsOfAVenueComeFromTheVenueGuestIndex() throws SQLException {
        GuestFilter atVenue = filter(null, locationId, null, null);

        assertIndexScans("GET /guests?location_id=", page(TenantScope.wholeTenant(tenantId), atVenue), "session_tenant_location_guest_idx");
        assertIndexScans("GET /guests/count?location_id=", count(TenantScope.wholeTenant(tenantId), atVenue),
                "session_tenant_location_guest_idx");
    }

    @Test
    void restrictedKeyFindsItsGuestsFromTheVenueGuestIndex() throws SQLException {
        TenantScope twoVenues = new TenantScope(tenantId, Set.of(locationId, locationId + 1));

        // The page may also walk guest ids in order and probe their sessions (session_guest_idx): no scan either way.
        assertIndexScans("GET /guests as a restricted key", page(twoVenues, filter(null, null, null, null)),
                "Index");
        assertIndexScans("GET /guests/count as a restricted key", count(twoVenues, filter(null, null, null, null)),
                "session_tenant_location_guest_idx");
    }

    @Test
    void onlineGuestsStartFromOpenSessions() throws SQLException {
        // Either index of open sessions will do: both hold only sessions without an end.
        assertIndexScans("GET /guests?online=true", page(TenantScope.wholeTenant(tenantId), filter(null, null, null, true)),
                "session_tenant_open");
        assertIndexScans("GET /guests/count?online=true", count(TenantScope.wholeTenant(tenantId), filter(null, null, null, true)),
                "session_tenant_open");
    }

    @Test
    void lastSeenPageStillWalksIndexes() throws SQLException {
        TimeBound yesterday = new TimeBound(LocalDate.now(ZoneOffset.UTC).minusDays(1), null);

        assertIndexScans("GET /guests?last_seen_from=D", page(TenantScope.wholeTenant(tenantId), filter(null, null, yesterday, null)),
                "session_tenant_guest_started_idx");
    }
}
