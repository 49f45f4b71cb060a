package captiva.sessions.query;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.SessionSpec;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keyset paging of GET /sessions: {@code cursor=} opts in, {@code links.next} carries the cursor.
 * Sessions come in threes with the same start_time, so that pages of 4 split equal sort keys.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions by cursor")
class CursorPagingTest extends ApiTest {

    private static final int MAX_PAGES = 200;

    private Tenant tenant;
    private Location lobby;
    private Location pool;
    private Key key;
    private String annsGuestId;
    private List<String> all;

    @BeforeAll
    void sessions() {
        tenant = given().tenant("Europe/London");
        lobby = given().location(tenant, "Europe/London");
        pool = given().location(tenant, "America/New_York");
        key = unlimitedKey(tenant, null);
        Instant day = Instant.parse("2024-03-01T09:00:00Z");
        List<SessionSpec> specs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Instant start =
                    day.plusSeconds(6 * 3600L * (i / 3)); // three sessions at each start time
            SessionSpec spec =
                    session(i % 2 == 0 ? lobby : pool)
                            .started(start)
                            .ended(start.plusSeconds(1800))
                            .mac(
                                    i % 3 == 0
                                            ? "14:2d:27:e7:40:2b"
                                            : "00:11:22:33:44:" + String.format("%02x", i));
            if (i % 4 != 3) {
                spec.guest(
                        i % 2 == 0 ? "Ann" : "Bob",
                        i % 2 == 0 ? "ann@example.com" : "bob@example.com",
                        i % 2 == 0 ? "yas-ann" : "yas-bob");
            }
            specs.add(spec);
        }
        Instant recent = Instant.now().minusSeconds(600);
        for (int i = 0; i < 5; i++) {
            specs.add(session(i % 2 == 0 ? lobby : pool).started(recent).online());
        }
        all = given().sessions(specs.toArray(SessionSpec[]::new));
        annsGuestId =
                http().get("/sessions?yas_id=yas-ann&per_page=1", key.auth())
                        .json()
                        .get("data")
                        .get(0)
                        .get("guest_id")
                        .asText();
    }

    /** A read key that the rate limit does not stop: the walks here take hundreds of requests. */
    private Key unlimitedKey(Tenant of, Location only) {
        return given().key(
                        of,
                        List.of("sessions:read"),
                        only == null ? null : List.of(only.id()),
                        10_000);
    }

    private static List<String> ids(Http.Response r) {
        List<String> ids = new ArrayList<>();
        r.json().get("data").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    private Http.Response get(String pathAndQuery, Key with) {
        Http.Response r = http().get(pathAndQuery.replace(http().base(), ""), with.auth());
        assertEquals(200, r.status(), r.body());
        return r;
    }

    /** Every session, following links.next from {@code first} to the end. */
    private List<String> walk(String first, Key with) {
        List<String> seen = new ArrayList<>();
        String next = first;
        for (int pages = 0; next != null; pages++) {
            assertTrue(pages < MAX_PAGES, "links.next never ends");
            Http.Response r = get(next, with);
            seen.addAll(ids(r));
            JsonNode link = r.json().get("links").get("next");
            next = link.isNull() ? null : link.asText();
        }
        return seen;
    }

    private List<String> byCursor(String query, Key with) {
        return walk("/sessions?" + query + "&per_page=4&cursor=", with);
    }

    private List<String> byPage(String query, Key with) {
        return walk("/sessions?" + query + "&per_page=4", with);
    }

    Stream<Arguments> everyFilterInBothOrders() {
        return Stream.of(
                        "",
                        "location_id=" + lobby.id(),
                        "guest_device_mac=14-2D-27-E7-40-2B",
                        "guest_id=" + annsGuestId,
                        "yas_id=yas-bob",
                        "online=true",
                        "online=false",
                        "start_time=2024-03-03",
                        "end_time=2024-03-04",
                        "start_time=2024-03-02T15:00:00Z&end_time=2024-03-05",
                        "location_id=" + pool.id() + "&online=false&yas_id=yas-bob")
                .flatMap(
                        filter ->
                                Stream.of(Arguments.of(filter, false), Arguments.of(filter, true)));
    }

    @ParameterizedTest(name = "{0} last_session_first={1}")
    @MethodSource("everyFilterInBothOrders")
    void walkingByCursorListsExactlyWhatPagesList(String filter, boolean newestFirst) {
        String query = filter + "&last_session_first=" + newestFirst;

        List<String> byCursor = byCursor(query, key);

        assertEquals(byPage(query, key), byCursor);
        assertEquals(ids(get("/sessions?" + query + "&per_page=100", key)), byCursor);
        assertFalse(byCursor.isEmpty(), "a filter that matches nothing proves nothing");
    }

    @Test
    void everySessionOnceInStartOrderWithEqualStartTimesSplitAcrossPages() {
        assertEquals(all, byCursor("", key));
    }

    @Test
    void linksCarryTheCursorAndKeepEveryFilterButHaveNoWayBackAndNoLast() {
        String query =
                "/sessions?location_id=" + lobby.id() + "&last_session_first=true&per_page=4";
        Http.Response first = get(query + "&cursor=", key);
        JsonNode links = first.json().get("links");
        String next = links.get("next").asText();
        String expectedBase =
                "/sessions?location_id="
                        + lobby.id()
                        + "&last_session_first=true&per_page=4&cursor=";

        assertEquals(expectedBase, links.get("first").asText());
        assertTrue(links.get("prev").isNull());
        assertTrue(links.get("last").isNull());
        assertTrue(next.startsWith(expectedBase) && next.length() > expectedBase.length(), next);
        assertEquals(List.of(1, 1, 4), meta(first));

        Http.Response second = get(next, key);
        assertEquals(List.of(2, 5, 8), meta(second));
        assertTrue(second.json().get("links").get("prev").isNull());
        assertEquals(expectedBase, second.json().get("links").get("first").asText());
    }

    private static List<Integer> meta(Http.Response r) {
        JsonNode meta = r.json().get("meta");
        return List.of(
                meta.get("current_page").asInt(), meta.get("from").asInt(), meta.get("to").asInt());
    }

    @Test
    void lastPageHasNoNext() {
        Http.Response r = get("/sessions?per_page=100&cursor=", key);

        assertEquals(all, ids(r));
        assertTrue(r.json().get("links").get("next").isNull());
    }

    @ParameterizedTest(name = "last_session_first={0}")
    @ValueSource(booleans = {false, true})
    void sessionsStoredDuringTheWalkNeitherRepeatNorHideTheOthers(boolean newestFirst) {
        Location venue = given().location(given().tenant());
        Key walker = unlimitedKey(venue.tenant(), null);
        Instant start = Instant.parse("2024-06-01T00:00:00Z");
        List<SessionSpec> specs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            specs.add(session(venue).started(start.plusSeconds(3600L * (i / 2))));
        }
        List<String> existing = given().sessions(specs.toArray(SessionSpec[]::new));
        List<String> expected = new ArrayList<>(existing);
        if (newestFirst) {
            Collections.reverse(expected);
        }

        Http.Response page =
                get("/sessions?per_page=5&last_session_first=" + newestFirst + "&cursor=", walker);
        List<String> seen = new ArrayList<>(ids(page));
        // Before, between and after what was listed, and at the same start time as the last one
        // listed.
        given().sessions(
                        session(venue).started(start.minusSeconds(60)),
                        session(venue).started(start.plusSeconds(5400)),
                        session(venue).started(start.plusSeconds(3600L * 2)),
                        session(venue).started(start.plusSeconds(3600L * 20)));
        seen.addAll(walk(page.json().get("links").get("next").asText(), walker));

        assertEquals(seen.size(), new HashSet<>(seen).size(), "a session listed twice: " + seen);
        assertEquals(expected, seen.stream().filter(existing::contains).toList());
    }

    @Test
    void locationRestrictedKeyWalksOnlyItsLocations() {
        Key lobbyOnly = unlimitedKey(tenant, lobby);

        List<String> walked = byCursor("", lobbyOnly);

        assertEquals(byCursor("location_id=" + lobby.id(), key), walked);
        assertEquals(byPage("", lobbyOnly), walked);
    }

    // ---- cursors that are not this listing's ----

    private String secondPageCursor(String query, Key with) {
        String next =
                get("/sessions?" + query + "per_page=4&cursor=", with)
                        .json()
                        .get("links")
                        .get("next")
                        .asText();
        return next.substring(next.indexOf("cursor=") + "cursor=".length());
    }

    private void assertCursorRefused(String query, Key with) {
        Http.Response r = http().get("/sessions?" + query, with.auth());

        assertEquals(400, r.status(), r.body());
        assertEquals("application/problem+json", r.contentType());
        assertEquals(1, r.json().get("errors").size(), r.body());
        assertEquals("cursor", r.json().get("errors").get(0).get("name").asText(), r.body());
        assertFalse(r.body().contains("\"data\""), r.body());
    }

    @Test
    void alteredCursorsAreRefused() {
        String cursor = secondPageCursor("", key);
        List<String> altered = new ArrayList<>();
        for (int i = 0; i < cursor.length(); i++) { // every single character changed
            char c = cursor.charAt(i);
            altered.add(cursor.substring(0, i) + (c == 'A' ? 'B' : 'A') + cursor.substring(i + 1));
        }
        altered.addAll(
                List.of(
                        cursor.substring(1),
                        cursor + "A",
                        cursor + "%3D",
                        cursor.substring(0, 20),
                        "x",
                        "not%20a%20cursor",
                        "%2F%2F%2F",
                        cursor.replace('-', '+').replace('_', '/')));

        for (String text : altered) {
            if (!text.equals(cursor)) {
                assertCursorRefused("per_page=4&cursor=" + text, key);
            }
        }
        assertEquals(all.subList(4, 8), ids(get("/sessions?per_page=4&cursor=" + cursor, key)));
    }

    @Test
    void cursorOfOtherFiltersOrTheOtherOrderIsRefused() {
        String ofLobby = secondPageCursor("location_id=" + lobby.id() + "&", key);

        assertCursorRefused("location_id=" + pool.id() + "&per_page=4&cursor=" + ofLobby, key);
        assertCursorRefused("per_page=4&cursor=" + ofLobby, key);
        assertCursorRefused(
                "location_id=" + lobby.id() + "&online=false&per_page=4&cursor=" + ofLobby, key);
        assertCursorRefused(
                "location_id="
                        + lobby.id()
                        + "&last_session_first=true&per_page=4&cursor="
                        + ofLobby,
                key);
        // per_page is not part of the listing: a walk may change its page size.
        assertEquals(
                200,
                http().get(
                                "/sessions?location_id="
                                        + lobby.id()
                                        + "&per_page=7&cursor="
                                        + ofLobby,
                                key.auth())
                        .status());
    }

    @Test
    void anotherTenantsCursorIsRefusedAndShowsNothingOfTheirs() {
        Location theirs = given().location(given().tenant());
        Key theirKey = unlimitedKey(theirs.tenant(), null);
        given().sessions(
                        session(theirs),
                        session(theirs),
                        session(theirs),
                        session(theirs),
                        session(theirs));
        String myCursor = secondPageCursor("", key);

        assertCursorRefused("per_page=4&cursor=" + myCursor, theirKey);
        for (String mine : all) {
            assertFalse(
                    http().get("/sessions?per_page=4&cursor=" + myCursor, theirKey.auth())
                            .body()
                            .contains(mine));
        }
    }

    @Test
    void cursorOfTheWholeTenantIsRefusedToALocationRestrictedKey() {
        String wholeTenant = secondPageCursor("", key);

        assertCursorRefused("per_page=4&cursor=" + wholeTenant, unlimitedKey(tenant, lobby));
    }

    @Test
    void cursorAndPageTogetherAreRefusedNamingPage() {
        Http.Response r = http().get("/sessions?page=2&cursor=", key.auth());

        assertEquals(400, r.status());
        assertEquals("page", r.json().get("errors").get(0).get("name").asText(), r.body());
    }

    @Test
    void repeatedCursorIsRefused() {
        assertCursorRefused("cursor=&cursor=", key);
    }

    @Test
    void withoutCursorPagesStayAsInTheReference() {
        JsonNode links = get("/sessions?per_page=4", key).json().get("links");

        assertEquals("/sessions?per_page=4&page=2", links.get("next").asText());
        assertNotNull(links.get("first").asText());
    }
}
