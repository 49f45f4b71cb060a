package captiva.guests.query;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One tenant (Europe/London) with a lobby and a bar. Ann visited both and left; Bob is online in
 * the lobby now; Cara visited the bar only, in April; an anonymous device used the lobby. Another
 * tenant has a guest with Ann's email and yas_id.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /guests")
class GuestListTest extends ApiTest {

    private Tenant tenant;
    private Location lobby;
    private Location bar;
    private Key key;
    private Location othersVenue;
    private String ann;
    private String bob;
    private String cara;

    @BeforeAll
    void guests() {
        tenant = given().tenant();
        lobby = given().location(tenant);
        bar = given().location(tenant, "Asia/Tokyo");
        key = given().readKey(tenant);
        Instant now = Instant.now();
        given().sessions(
                        session(lobby)
                                .username("room-101")
                                .guest("Ann Example", "Ann@Example.org", "ann-yas")
                                .started("2024-05-01T10:00:00Z")
                                .ended("2024-05-01T11:00:00Z")
                                .bytes(1_000_000, 2_000),
                        session(bar)
                                .username("room-101")
                                .guest("Ann Example", "Ann@Example.org", "ann-yas")
                                .started("2024-05-02T22:00:00Z")
                                .ended("2024-05-02T23:30:00Z")
                                .bytes(500, 1_000),
                        session(lobby)
                                .username("bob")
                                .guest("Bob", "bob@example.org", "bob-yas")
                                .started(now.minusSeconds(600))
                                .online()
                                .bytes(3_340_000, 900_580),
                        session(bar)
                                .username("cara")
                                .guest("Cara", "cara@example.org", null)
                                .started("2024-04-01T08:00:00Z")
                                .ended("2024-04-01T09:00:00Z"),
                        session(lobby)
                                .username("anonymous")
                                .started(now.minusSeconds(300))
                                .online());
        List<String> ids = guestIds(get("?per_page=100", key));
        assertEquals(3, ids.size(), "Ann, Bob and Cara; the anonymous device is no guest");
        ann = ids.get(0);
        bob = ids.get(1);
        cara = ids.get(2);

        Tenant other = given().tenant();
        othersVenue = given().location(other);
        given().sessions(
                        session(othersVenue)
                                .username("room-101")
                                .guest("Ann Elsewhere", "ann@example.org", "ann-yas")
                                .online());
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private JsonNode get(String query, Key as) {
        Http.Response r = http().get("/guests" + query, as.auth());
        assertEquals(200, r.status(), r.body());
        assertEquals("application/json", r.contentType());
        return r.json();
    }

    private long count(String query, Key as) {
        Http.Response r = http().get("/guests/count" + query, as.auth());
        assertEquals(200, r.status(), r.body());
        return r.json().get("count").asLong();
    }

    private static List<String> guestIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(g -> ids.add(g.get("id").asText()));
        return ids;
    }

    private List<String> listed(String query) {
        List<String> ids = guestIds(get(query, key));
        assertEquals(ids.size(), count(query, key), "count disagrees with the list for " + query);
        return ids;
    }

    private static JsonNode guest(JsonNode page, String id) {
        for (JsonNode g : page.get("data")) {
            if (g.get("id").asText().equals(id)) {
                return g;
            }
        }
        throw new AssertionError(id + " not in " + page);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Nested
    @DisplayName("fields")
    class Fields {

        @Test
        void aGuestWhoLeftShowsTheirIdentityAndTotalsOverEveryVisit() {
            JsonNode g = guest(get("", key), ann);

            assertEquals("room-101", g.get("username").asText());
            assertEquals("Ann Example", g.get("name").asText());
            assertEquals("Ann@Example.org", g.get("email").asText());
            assertEquals("ann-yas", g.get("yas_id").asText());
            assertEquals("2024-05-01T10:00:00+00:00", g.get("first_seen").asText());
            assertEquals("2024-05-02T23:30:00+00:00", g.get("last_seen").asText());
            assertEquals(2, g.get("sessions").asLong());
            assertFalse(g.get("online").asBoolean());
            assertEquals(1_000_500, g.get("downloaded_bytes").asLong());
            assertEquals("1.00 MB", g.get("downloaded_data").asText());
            assertEquals(3_000, g.get("uploaded_bytes").asLong());
            assertEquals("3.00 kB", g.get("uploaded_data").asText());
        }

        @Test
        void aGuestOnlineNowIsOnlineAndLastSeenNow() {
            JsonNode g = guest(get("", key), bob);

            assertTrue(g.get("online").asBoolean());
            assertEquals("3.34 MB", g.get("downloaded_data").asText());
            assertEquals("900.58 kB", g.get("uploaded_data").asText());
            Instant lastSeen = Instant.parse(g.get("last_seen").asText());
            assertTrue(
                    Duration.between(lastSeen, Instant.now()).abs().toMinutes() < 5, g.toString());
        }

        @Test
        void guestsAreListedInTheOrderTheyBecameKnown() {
            assertEquals(List.of(ann, bob, cara), listed(""));
        }

        @Test
        void theSameGuestIdIsTheOneSessionsShow() {
            JsonNode sessions =
                    http().get(
                                    "/sessions?location_id="
                                            + bar.id()
                                            + "&start_time=2024-05-01&end_time=2024-05-31",
                                    key.auth())
                            .json();

            assertEquals(ann, sessions.get("data").get(0).get("guest_id").asText());
        }
    }

    @Nested
    @DisplayName("filters")
    class Filters {

        @Test
        void usernameIsExact() {
            assertEquals(List.of(ann), listed("?username=room-101"));
            assertEquals(List.of(), listed("?username=ROOM-101"));
        }

        @Test
        void emailIsCaseInsensitive() {
            assertEquals(List.of(ann), listed("?email=" + enc("aNN@example.ORG")));
        }

        @Test
        void yasIdIsExact() {
            assertEquals(List.of(bob), listed("?yas_id=bob-yas"));
            assertEquals(List.of(), listed("?yas_id=%25"));
        }

        @Test
        void locationIdKeepsVisitorsAndCountsOnlyTheirSessionsThere() {
            JsonNode page = get("?location_id=" + bar.id(), key);

            assertEquals(List.of(ann, cara), guestIds(page));
            JsonNode g = guest(page, ann);
            assertEquals(1, g.get("sessions").asLong());
            assertEquals(500, g.get("downloaded_bytes").asLong());
            assertEquals("2024-05-02T22:00:00+00:00", g.get("first_seen").asText());
            assertEquals(2, count("?location_id=" + bar.id(), key));
        }

        @Test
        void lastSeenBoundsAreDaysInTheTenantsZone() {
            // Ann was last seen at 00:30 on 3 May in London: the 3rd there, though the 2nd in UTC.
            assertEquals(List.of(ann, bob), listed("?last_seen_from=2024-05-03"));
            assertEquals(List.of(cara), listed("?last_seen_to=2024-05-02"));
            assertEquals(
                    List.of(ann, cara),
                    listed("?last_seen_from=2024-04-01&last_seen_to=2024-05-03"));
        }

        @Test
        void lastSeenDaysAreTheVenuesWithLocationId() {
            // At the bar (Tokyo), Ann's last visit ended at 08:30 on 3 May local time.
            assertEquals(
                    List.of(ann),
                    listed(
                            "?location_id="
                                    + bar.id()
                                    + "&last_seen_from=2024-05-03&last_seen_to=2024-05-03"));
        }

        @Test
        void lastSeenInstantsAreExact() {
            assertEquals(
                    List.of(ann),
                    listed(
                            "?last_seen_from="
                                    + enc("2024-05-02T23:30:00Z")
                                    + "&last_seen_to="
                                    + enc("2024-05-02T23:30:00+00:00")));
            assertEquals(
                    List.of(),
                    listed(
                            "?last_seen_from="
                                    + enc("2024-05-02T23:30:01Z")
                                    + "&last_seen_to="
                                    + enc("2024-05-03T00:00:00Z")));
        }

        @Test
        void onlineTrueKeepsGuestsOnlineNowAndFalseTheRest() {
            assertEquals(List.of(bob), listed("?online=true"));
            assertEquals(List.of(ann, cara), listed("?online=false"));
        }

        @Test
        void guestsSilentPastTheStaleTimeoutAreOffline() {
            clock.advance(Duration.ofMinutes(12));

            assertEquals(List.of(), listed("?online=true"));
            assertFalse(guest(get("", key), bob).get("online").asBoolean());
        }

        @Test
        void filtersCombine() {
            assertEquals(
                    List.of(ann),
                    listed("?email=ann%40example.org&location_id=" + lobby.id() + "&online=false"));
            assertEquals(List.of(), listed("?email=ann%40example.org&online=true"));
        }

        @Test
        void wellFormedButUnknownLocationMatchesNothing() {
            assertEquals(List.of(), listed("?location_id=pR3zOKmvzqe"));
        }
    }

    @Nested
    @DisplayName("paging")
    class Paging {

        @Test
        void pagesLinkAndKeepTheFilters() {
            JsonNode first = get("?per_page=2&online=false", key);
            JsonNode second = get("?per_page=2&online=false&page=2", key);

            assertEquals(List.of(ann, cara), guestIds(first));
            assertTrue(first.get("links").get("next").isNull());
            JsonNode one = get("?per_page=1&online=false", key);
            assertEquals(List.of(ann), guestIds(one));
            assertTrue(
                    one.get("links")
                            .get("next")
                            .asText()
                            .endsWith("/guests?online=false&per_page=1&page=2"),
                    one.toString());
            assertEquals(List.of(cara), guestIds(get("?per_page=1&online=false&page=2", key)));
            assertEquals(0, second.get("data").size());
            assertTrue(second.get("meta").get("from").isNull());
        }
    }

    @Nested
    @DisplayName("restricted keys")
    class RestrictedKeys {

        @Test
        void seeOnlyGuestsWhoVisitedTheirVenuesWithNumbersFromThere() {
            Key barOnly = given().readKey(tenant, bar);

            JsonNode page = get("", barOnly);

            assertEquals(List.of(ann, cara), guestIds(page));
            assertEquals(1, guest(page, ann).get("sessions").asLong());
            assertEquals("2024-05-02T23:30:00+00:00", guest(page, ann).get("last_seen").asText());
            assertEquals(2, count("", barOnly));
        }

        @Test
        void findNothingOutsideTheirVenues() {
            Key barOnly = given().readKey(tenant, bar);

            assertEquals(List.of(), guestIds(get("?email=bob%40example.org", barOnly)));
            assertEquals(0, count("?online=true", barOnly));
            assertEquals(0, count("?location_id=" + lobby.id(), barOnly));
        }
    }

    @Nested
    @DisplayName("tenant isolation")
    class TenantIsolation {

        @Test
        void anotherTenantsGuestWithTheSameEmailAndYasIdStaysThere() {
            assertEquals(List.of(ann), listed("?yas_id=ann-yas"));
            assertEquals(List.of(ann), listed("?email=ann%40example.org"));
        }

        @Test
        void anotherTenantsLocationLooksUnknown() {
            assertEquals(List.of(), listed("?location_id=" + othersVenue.id()));
        }

        @Test
        void aNewTenantHasNoGuests() {
            Key fresh = given().readKey(given().tenant());

            assertEquals(List.of(), guestIds(get("?username=room-101", fresh)));
            assertEquals(0, count("", fresh));
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        private void assertRejectedNaming(String query, String... names) {
            for (String path : List.of("/guests?", "/guests/count?")) {
                Http.Response r = http().get(path + query, key.auth());

                assertEquals(400, r.status(), r.body());
                assertEquals("application/problem+json", r.contentType());
                List<String> named = new ArrayList<>();
                r.json().get("errors").forEach(e -> named.add(e.get("name").asText()));
                assertEquals(List.of(names), named, r.body());
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"yesterday", "2024-02-30", "2024-01-01T10:00:00"})
        void malformedLastSeenIsRejected(String value) {
            assertRejectedNaming(
                    "last_seen_from=" + value + "&last_seen_to=" + value,
                    "last_seen_from",
                    "last_seen_to");
        }

        @Test
        void emptyOrOverlongTextIsRejected() {
            assertRejectedNaming(
                    "username=&email=" + "x".repeat(201) + "&yas_id=",
                    "username",
                    "email",
                    "yas_id");
        }

        @Test
        void everyBadParameterIsNamedAtOnce() {
            assertRejectedNaming(
                    "location_id=12&online=maybe&page=0&per_page=101&email=a&email=b",
                    "email",
                    "location_id",
                    "online",
                    "page",
                    "per_page");
        }
    }
}
