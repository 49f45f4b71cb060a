package captiva.locations.query;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@MicronautTest(transactional = false)
@DisplayName("GET /locations")
class LocationListTest extends ApiTest {

    private Tenant tenant;
    private Location lobby;
    private Location bar;
    private Location spa;
    private Key key;

    /**
     * Lobby: two guests online, one gone; bar: one online; spa: nobody. Another tenant has a busy
     * venue too.
     */
    @BeforeAll
    void venues() {
        tenant = given().tenant();
        lobby = given().location(tenant, "Europe/Istanbul");
        bar = given().location(tenant, "America/New_York");
        spa = given().location(tenant);
        key = given().readKey(tenant);
        Instant now = Instant.now();
        given().sessions(
                        session(lobby).started(now.minusSeconds(300)).online(),
                        session(lobby).started(now.minusSeconds(200)).online(),
                        session(lobby)
                                .started(now.minusSeconds(7200))
                                .ended(now.minusSeconds(3600)),
                        session(bar).started(now.minusSeconds(100)).online());
        Location elsewhere = given().location(given().tenant());
        given().sessions(session(elsewhere).online(), session(elsewhere).online());
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private JsonNode get(String query, Key as) {
        Http.Response r = http().get("/locations" + query, as.auth());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(l -> ids.add(l.get("id").asText()));
        return ids;
    }

    private long onlineSessionsAt(Location venue) {
        return http().get("/sessions/count?online=true&location_id=" + venue.id(), key.auth())
                .json()
                .get("count")
                .asLong();
    }

    @Test
    void listsEveryVenueOfTheTenantByNameWithItsTimeZone() {
        JsonNode page = get("?per_page=100", key);

        List<Location> byName =
                Stream.of(lobby, bar, spa)
                        .sorted(Comparator.comparing(l -> name(page, l)))
                        .toList();
        assertEquals(byName.stream().map(Location::id).toList(), ids(page));
        assertEquals("Europe/Istanbul", venue(page, lobby).get("time_zone").asText());
        assertEquals("America/New_York", venue(page, bar).get("time_zone").asText());
        assertTrue(name(page, lobby).startsWith("Venue "), page.toString());
    }

    @Test
    void guestsOnlineCountsWhatSessionsCountCallsOnline() {
        JsonNode page = get("", key);

        assertEquals(2, venue(page, lobby).get("guests_online").asLong());
        assertEquals(1, venue(page, bar).get("guests_online").asLong());
        assertEquals(0, venue(page, spa).get("guests_online").asLong());
        for (Location venue : List.of(lobby, bar, spa)) {
            assertEquals(onlineSessionsAt(venue), venue(page, venue).get("guests_online").asLong());
        }
    }

    @Test
    void guestsSilentPastTheStaleTimeoutAreNoLongerOnline() {
        clock.advance(Duration.ofMinutes(12));

        JsonNode page = get("", key);

        assertEquals(0, venue(page, lobby).get("guests_online").asLong());
        assertEquals(0, onlineSessionsAt(lobby));
    }

    @Test
    void restrictedKeySeesOnlyItsVenues() {
        Key barOnly = given().readKey(tenant, bar);

        assertEquals(List.of(bar.id()), ids(get("", barOnly)));
        assertEquals(
                1, http().get("/locations/count", barOnly.auth()).json().get("count").asLong());
    }

    @Test
    void countIsTheTenantsVenuesOnly() {
        Http.Response r = http().get("/locations/count?per_page=5", key.auth());

        assertEquals(200, r.status(), r.body());
        assertEquals(3, r.json().get("count").asLong());
    }

    @Test
    void anotherTenantsKeyNeverSeesTheseVenues() {
        Key other = given().readKey(given().tenant());

        assertEquals(List.of(), ids(get("", other)));
        assertEquals(0, http().get("/locations/count", other.auth()).json().get("count").asLong());
    }

    @Test
    void pagesLinkLikeSessionPages() {
        JsonNode first = get("?per_page=2", key);
        JsonNode second = get("?per_page=2&page=2", key);

        assertEquals(2, first.get("data").size());
        assertTrue(
                first.get("links").get("next").asText().endsWith("/locations?per_page=2&page=2"),
                first.toString());
        assertTrue(first.get("links").get("prev").isNull());
        assertEquals(1, second.get("data").size());
        assertTrue(second.get("links").get("next").isNull());
        assertEquals(3, second.get("meta").get("from").asLong());
        assertEquals(3, second.get("meta").get("to").asLong());
        List<String> all = new ArrayList<>(ids(first));
        all.addAll(ids(second));
        assertEquals(ids(get("?per_page=100", key)), all);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/locations?per_page=101&page=0", "/locations/count?per_page=0&page=x"})
    void pagingOutOfRangeIsAProblemNamingEachParameter(String path) {
        Http.Response r = http().get(path, key.auth());

        assertEquals(400, r.status(), r.body());
        assertEquals("application/problem+json", r.contentType());
        List<String> named = new ArrayList<>();
        r.json().get("errors").forEach(e -> named.add(e.get("name").asText()));
        assertEquals(List.of("page", "per_page"), named);
    }

    @Test
    void answersCarryTheRateLimitHeaders() {
        Http.Response r = http().get("/locations", key.auth());

        assertTrue(r.header("X-RateLimit-Limit").isPresent(), r.raw().headers().toString());
    }

    @Test
    void withoutAKeyIs401() {
        assertEquals(401, http().get("/locations").status());
    }

    private static JsonNode venue(JsonNode page, Location location) {
        for (JsonNode l : page.get("data")) {
            if (l.get("id").asText().equals(location.id())) {
                return l;
            }
        }
        throw new AssertionError(location.id() + " not in " + page);
    }

    private static String name(JsonNode page, Location location) {
        return venue(page, location).get("name").asText();
    }
}
