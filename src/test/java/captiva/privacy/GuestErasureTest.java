package captiva.privacy;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.statistics.VenueDayRefresher;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@MicronautTest(transactional = false)
@DisplayName("POST /admin/tenants/{tenant_id}/guests/erase")
class GuestErasureTest extends ApiTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private final Instant hourAgo =
            Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    /**
     * A venue with Ann on it: two sessions (one at {@code ip}) and a portal login, all linked to
     * her.
     */
    private record Venue(
            Tenant tenant, Location location, Key read, String ip, String email, String yasId) {}

    private Venue aVenueWithAnn(String email) {
        Tenant tenant = given().tenant();
        Location location = given().location(tenant);
        Key ingest = given().key(tenant, List.of("ingest"), null, 100_000);
        int n = SEQUENCE.incrementAndGet();
        String ip = "10.77." + (n % 250) + ".5";
        String yasId = "yas-ann-" + n;
        given().sessions(
                        session(location)
                                .started(hourAgo.minusSeconds(7200))
                                .ended(hourAgo.minusSeconds(3600))
                                .username("room-101")
                                .mac("14:2d:27:e7:40:2b")
                                .ip("10.77.0.9")
                                .field("guest_device_description", "Safari on iOS")
                                .field("access_code", "SUMMER24")
                                .guest("Ann Example", email, yasId),
                        session(location)
                                .started(hourAgo)
                                .online()
                                .username("room-101")
                                .mac("14:2d:27:e7:40:2b")
                                .ip(ip)
                                .guest("Ann Example", email, yasId));
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("location_id", location.id());
        login.put("username", "room-101");
        login.put("login_time", hourAgo.toString());
        login.put("guest", Map.of("email", email));
        Http.Response r = http().post("/ingest/logins", login, ingest.auth());
        assertEquals(201, r.status(), r::body);
        return new Venue(tenant, location, given().readKey(tenant), ip, email, yasId);
    }

    private static String uniqueEmail() {
        return "ann" + SEQUENCE.incrementAndGet() + "@example.com";
    }

    private Http.Response erase(Tenant tenant, String field, String value) {
        return http().post(
                        "/admin/tenants/" + tenant.id() + "/guests/erase",
                        Map.of(field, value),
                        Fixtures.admin());
    }

    private List<JsonNode> sessions(Venue venue) {
        List<JsonNode> all = new ArrayList<>();
        http().get("/sessions?per_page=100", venue.read().auth())
                .json()
                .get("data")
                .forEach(all::add);
        return all;
    }

    private String guestIdOf(Venue venue) {
        return sessions(venue).get(0).get("guest_id").asText();
    }

    private String keyOf(Venue venue, String field) {
        return switch (field) {
            case "guest_id" -> guestIdOf(venue);
            case "email" -> venue.email().toUpperCase();
            default -> venue.yasId();
        };
    }

    @Nested
    @DisplayName("erasing a guest")
    class Erasing {

        @ParameterizedTest(name = "by {0}")
        @ValueSource(strings = {"guest_id", "email", "yas_id"})
        void reportsTheGuestItsLoginAndItsSessions(String field) {
            Venue venue = aVenueWithAnn(uniqueEmail());

            Http.Response r = erase(venue.tenant(), field, keyOf(venue, field));

            assertEquals(200, r.status(), r::body);
            assertEquals(1, r.json().get("guests").asInt());
            assertEquals(1, r.json().get("logins").asInt());
            assertEquals(2, r.json().get("sessions_unlinked").asInt());
        }

        @ParameterizedTest(name = "by {0}")
        @ValueSource(strings = {"guest_id", "email", "yas_id"})
        void addressLookupNoLongerNamesTheGuest(String field) {
            Venue venue = aVenueWithAnn(uniqueEmail());
            assertEquals(
                    "Ann Example",
                    http().get("/sessions/" + venue.ip(), venue.read().auth())
                            .json()
                            .get("name")
                            .asText());

            erase(venue.tenant(), field, keyOf(venue, field));

            JsonNode holder = http().get("/sessions/" + venue.ip(), venue.read().auth()).json();
            assertTrue(holder.get("name").isNull(), holder::toString);
            assertTrue(holder.get("email").isNull(), holder::toString);
            assertTrue(holder.get("username").isNull(), holder::toString);
        }

        @ParameterizedTest(name = "by {0}")
        @ValueSource(strings = {"guest_id", "email", "yas_id"})
        void sessionsStayButNameNobody(String field) {
            Venue venue = aVenueWithAnn(uniqueEmail());

            erase(venue.tenant(), field, keyOf(venue, field));

            List<JsonNode> sessions = sessions(venue);
            assertEquals(2, sessions.size());
            for (JsonNode s : sessions) {
                assertTrue(s.get("guest_id").isNull(), s::toString);
                assertTrue(s.get("yas_id").isNull(), s::toString);
                assertTrue(s.get("guest_device_mac").isNull(), s::toString);
                assertTrue(s.get("guest_device_description").isNull(), s::toString);
                assertTrue(s.get("access_code").isNull(), s::toString);
            }
        }

        @Test
        void filteringByTheErasedYasIdFindsNothing() {
            Venue venue = aVenueWithAnn(uniqueEmail());

            erase(venue.tenant(), "yas_id", venue.yasId());

            assertEquals(
                    0,
                    http().get("/sessions?yas_id=" + venue.yasId(), venue.read().auth())
                            .json()
                            .get("data")
                            .size());
        }

        @Test
        void erasingTwiceAnswers404TheSecondTime() {
            Venue venue = aVenueWithAnn(uniqueEmail());
            assertEquals(200, erase(venue.tenant(), "email", venue.email()).status());

            Http.Response r = erase(venue.tenant(), "email", venue.email());

            assertEquals(404, r.status(), r::body);
        }

        @Test
        void anotherGuestOfTheTenantKeepsTheirData() {
            Venue venue = aVenueWithAnn(uniqueEmail());
            given().session(
                            session(venue.location())
                                    .started(hourAgo)
                                    .online()
                                    .ip("10.78.0.1")
                                    .guest("Bob Other", "bob@example.com", null));

            erase(venue.tenant(), "email", venue.email());

            assertEquals(
                    "bob@example.com",
                    http().get("/sessions/10.78.0.1", venue.read().auth())
                            .json()
                            .get("email")
                            .asText());
        }
    }

    @Nested
    @DisplayName("the statistics")
    class TheStatistics {

        @Inject VenueDayRefresher refresher;
        @Inject OpaqueIds ids;

        /**
         * The rollups number guests and devices (captiva.statistics.Ordinals); those numbers are
         * personal data as long as their keys are, so they go with the erasure, and the figures
         * stay those of the sessions as they are now.
         */
        @Test
        void keepNoNumberOfTheGuestNorTheirDeviceAndStayExact() throws SQLException {
            Venue venue = aVenueWithAnn(uniqueEmail());
            given().sessions(
                            session(venue.location())
                                    .started(hourAgo.minusSeconds(5400))
                                    .ended(hourAgo.minusSeconds(5000))
                                    .mac("02:00:00:00:b0:b0"));
            refresher.refresh();
            long tenantId = ids.decode(OpaqueIds.Kind.TENANT, venue.tenant().id()).orElseThrow();
            assertEquals(
                    "[02:00:00:00:b0:b0, 14:2d:27:e7:40:2b]",
                    column("SELECT mac::text FROM device_ordinal WHERE tenant_id = ?", tenantId)
                            .toString());

            erase(venue.tenant(), "email", venue.email());

            assertEquals(
                    "[m02:00:00:00:b0:b0]",
                    column("SELECT guest_key FROM guest_ordinal WHERE tenant_id = ?", tenantId)
                            .toString());
            assertEquals(
                    "[02:00:00:00:b0:b0]",
                    column("SELECT mac::text FROM device_ordinal WHERE tenant_id = ?", tenantId)
                            .toString());
            // the guests' first visits and earliest visits go with their numbers
            for (String table : List.of("guest_first_visit", "guest_earliest_visit")) {
                assertEquals(
                        "[m02:00:00:00:b0:b0]",
                        column(
                                        """
                                        SELECT o.guest_key FROM %s f
                                        LEFT JOIN guest_ordinal o ON o.tenant_id = f.tenant_id AND o.ordinal = f.guest_ordinal
                                        WHERE f.tenant_id = ?
                                        """
                                                .formatted(table),
                                        tenantId)
                                .toString());
            }
            JsonNode before = statistics(venue);
            refresher.refresh();
            JsonNode after = statistics(venue);
            for (JsonNode total : List.of(before, after)) {
                assertEquals(3, total.get("sessions").asInt(), total::toString);
                assertEquals(1, total.get("unique_guests").asInt(), total::toString);
                assertEquals(1, total.get("unique_devices").asInt(), total::toString);
                assertEquals(0, total.get("returning_guests").asInt(), total::toString);
            }
        }

        private JsonNode statistics(Venue venue) {
            return http().get(
                            "/sessions/statistics?location_id=" + venue.location().id(),
                            venue.read().auth())
                    .json()
                    .get("total");
        }

        private static TreeSet<String> column(String sql, long tenantId) throws SQLException {
            TreeSet<String> values = new TreeSet<>();
            try (Connection c = TestDatabase.connect();
                    PreparedStatement st = c.prepareStatement(sql)) {
                st.setLong(1, tenantId);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        values.add(rs.getString(1));
                    }
                }
            }
            return values;
        }
    }

    @Nested
    @DisplayName("tenant isolation")
    class TenantIsolation {

        @Test
        void anotherTenantsGuestWithTheSameEmailIsUntouched() {
            String email = uniqueEmail();
            Venue mine = aVenueWithAnn(email);
            Venue theirs = aVenueWithAnn(email);

            erase(mine.tenant(), "email", email);

            JsonNode holder = http().get("/sessions/" + theirs.ip(), theirs.read().auth()).json();
            assertEquals(email, holder.get("email").asText());
            assertEquals("room-101", holder.get("username").asText());
        }

        @Test
        void anEmailOnlyAnotherTenantKnowsLooksUnknown() {
            Tenant mine = given().tenant();
            Venue theirs = aVenueWithAnn(uniqueEmail());

            Http.Response r = erase(mine, "email", theirs.email());

            assertEquals(404, r.status(), r::body);
        }

        @Test
        void anotherTenantsGuestIdLooksUnknown() {
            Venue mine = aVenueWithAnn(uniqueEmail());
            Venue theirs = aVenueWithAnn(uniqueEmail());

            Http.Response r = erase(mine.tenant(), "guest_id", guestIdOf(theirs));

            assertEquals(404, r.status(), r::body);
            assertEquals(
                    "Ann Example",
                    http().get("/sessions/" + theirs.ip(), theirs.read().auth())
                            .json()
                            .get("name")
                            .asText());
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        void twoKeysAreRefusedNamingTheBody() {
            Tenant tenant = given().tenant();

            Http.Response r =
                    http().post(
                                    "/admin/tenants/" + tenant.id() + "/guests/erase",
                                    Map.of("email", "a@example.com", "yas_id", "y"),
                                    Fixtures.admin());

            assertEquals(400, r.status(), r::body);
            assertEquals("body", r.json().get("errors").get(0).get("name").asText());
        }

        @Test
        void aGuestIdThatIsNoGuestIdAnswers404() {
            Tenant tenant = given().tenant();

            assertEquals(404, erase(tenant, "guest_id", tenant.id()).status());
        }
    }
}
