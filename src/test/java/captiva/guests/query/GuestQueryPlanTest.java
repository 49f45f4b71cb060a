package captiva.guests.query;

import captiva.common.paging.PageRequest;
import captiva.common.query.TimeBound;
import captiva.tenancy.TenantScope;
import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * GET /guests reads guests through tenant-led indexes and aggregates each guest's sessions on the
 * (tenant, guest) index, on tables big enough that the planner would rather scan than use a poor
 * index. The plans are printed for the README's design notes.
 */
@DisplayName("guest query plans")
class GuestQueryPlanTest extends PlanTest {

    private static final int GUESTS = 20_000;
    private static final int SESSIONS = 200_000;
    private long tenantId;
    private long locationId;

    /**
     * Two tenants, 50 venues each, 20,000 guests each with ~10 sessions (1 in 5 anonymous), 1 in
     * 100 still open; beside them the rest of a platform, whose sessions outnumber theirs four to
     * one. A tenant is a small part of the table in production: where it is half of it, the planner
     * may walk guests in id order through session_guest_idx (not led by tenant_id), filtering by
     * tenant.
     */
    @BeforeAll
    void bigTables() throws SQLException {
        try (Connection c = connect();
                java.sql.Statement st = c.createStatement()) {
            Tenant others = tenantWithVenues(st, "the rest of the platform", 1);
            st.execute(
                    """
                    INSERT INTO guest (tenant_id, username) SELECT %1$d, 'o' || i FROM generate_series(1, 80000) i;
                    INSERT INTO session (tenant_id, location_id, guest_id, start_time, last_update, end_time)
                    SELECT %1$d, %2$d, (SELECT min(id) FROM guest WHERE tenant_id = %1$d) + i %% 80000,
                           now() - i * interval '10 seconds', now() - i * interval '10 seconds' + interval '20 minutes',
                           now() - i * interval '10 seconds' + interval '20 minutes'
                    FROM generate_series(1, 800000) i
                    """
                            .formatted(others.id(), others.firstLocationId()));
            for (int tenant = 0; tenant < 2; tenant++) {
                Tenant t = tenantWithVenues(st, "guest plan tenant", 50);
                tenantId = t.id();
                locationId = t.firstLocationId();
                st.execute(
                        """
                        INSERT INTO guest (tenant_id, username, name, email, yas_id)
                        SELECT %d, 'u' || i, 'Guest ' || i, 'guest' || i || '@example.org', 'yas-' || i FROM generate_series(1, %d) i
                        """
                                .formatted(tenantId, GUESTS));
                ResultSet g =
                        st.executeQuery("SELECT min(id) FROM guest WHERE tenant_id = " + tenantId);
                g.next();
                long firstGuest = g.getLong(1);
                st.execute(
                        """
                        INSERT INTO session (tenant_id, location_id, guest_id, start_time, last_update, end_time, input_octets, output_octets)
                        SELECT %d, %d + (i %% %d) %% 50, CASE WHEN i %% 5 = 0 THEN NULL ELSE %d + i %% %d END,
                               now() - i * interval '30 seconds', now() - i * interval '30 seconds' + interval '20 minutes',
                               CASE WHEN i %% 100 = 0 THEN NULL ELSE now() - i * interval '30 seconds' + interval '20 minutes' END,
                               i, i * 10
                        FROM generate_series(1, %d) i
                        """
                                .formatted(
                                        tenantId,
                                        locationId,
                                        GUESTS,
                                        firstGuest,
                                        GUESTS,
                                        SESSIONS / 2));
            }
            st.execute("ANALYZE");
        }
    }

    private static GuestFilter filter(
            String email, Long location, TimeBound lastSeenFrom, Boolean online) {
        return new GuestFilter(null, email, null, location, lastSeenFrom, null, online, false);
    }

    private String page(TenantScope scope, GuestFilter filter) throws SQLException {
        return plan(
                GuestQueries.page(
                        scope,
                        filter,
                        ZoneOffset.UTC,
                        Instant.now().minusSeconds(660),
                        new PageRequest(1, 10, false)));
    }

    private String count(TenantScope scope, GuestFilter filter) throws SQLException {
        return plan(
                GuestQueries.count(scope, filter, ZoneOffset.UTC, Instant.now().minusSeconds(660)));
    }

    @Test
    void firstPageWalksGuestsInIdOrderAndAggregatesOnTheGuestIndex() throws SQLException {
        assertIndexScans(
                "GET /guests",
                page(TenantScope.wholeTenant(tenantId), filter(null, null, null, null)),
                "session_tenant_guest_started_idx");
    }

    @Test
    void emailFindsTheGuestByItsIndex() throws SQLException {
        assertIndexScans(
                "GET /guests?email=",
                page(
                        TenantScope.wholeTenant(tenantId),
                        filter("GUEST42@example.org", null, null, null)),
                "guest_tenant_email_idx",
                "session_tenant_guest_started_idx");
    }

    @Test
    void visitorsOfAVenueComeFromTheVenueGuestIndex() throws SQLException {
        GuestFilter atVenue = filter(null, locationId, null, null);

        assertIndexScans(
                "GET /guests?location_id=",
                page(TenantScope.wholeTenant(tenantId), atVenue),
                "session_tenant_location_guest_idx");
        assertIndexScans(
                "GET /guests/count?location_id=",
                count(TenantScope.wholeTenant(tenantId), atVenue),
                "session_tenant_location_guest_idx");
    }

    @Test
    void restrictedKeyFindsItsGuestsFromTheVenueGuestIndex() throws SQLException {
        TenantScope twoVenues = new TenantScope(tenantId, Set.of(locationId, locationId + 1));

        // The page may also walk guest ids in order and probe their sessions (session_guest_idx):
        // no scan either way.
        assertIndexScans(
                "GET /guests as a restricted key",
                page(twoVenues, filter(null, null, null, null)),
                "Index");
        assertIndexScans(
                "GET /guests/count as a restricted key",
                count(twoVenues, filter(null, null, null, null)),
                "session_tenant_location_guest_idx");
    }

    @Test
    void onlineGuestsStartFromOpenSessions() throws SQLException {
        // Either index of open sessions will do: both hold only sessions without an end.
        assertIndexScans(
                "GET /guests?online=true",
                page(TenantScope.wholeTenant(tenantId), filter(null, null, null, true)),
                "session_tenant_open");
        assertIndexScans(
                "GET /guests/count?online=true",
                count(TenantScope.wholeTenant(tenantId), filter(null, null, null, true)),
                "session_tenant_open");
    }

    @Test
    void lastSeenPageStillWalksIndexes() throws SQLException {
        TimeBound yesterday = new TimeBound(LocalDate.now(ZoneOffset.UTC).minusDays(1), null);

        assertIndexScans(
                "GET /guests?last_seen_from=D",
                page(TenantScope.wholeTenant(tenantId), filter(null, null, yesterday, null)),
                "session_tenant_guest_started_idx");
    }
}
