package captiva.sessions.query;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@MicronautTest(transactional = false)
@DisplayName("GET /sessions")
class SessionListTest extends ApiTest {

    private static List<String> ids(Http.Response r) {
        List<String> ids = new ArrayList<>();
        r.json().get("data").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Nested
    @DisplayName("formats")
    class Formats {

        @Test
        void referenceExampleSessionReadsExactlyAsInTheReference() {
            Tenant tenant = given().tenant();
            Location ipera = given().location(tenant, "Europe/Istanbul");
            Key key = given().readKey(tenant);
            String id =
                    given().session(
                                    session(ipera)
                                            .username("C6D144DE")
                                            .mac("14-2D-27-E7-40-2B")
                                            .ip("172.31.98.114")
                                            .field("guest_device_description", "WebKit")
                                            .field("access_code", "")
                                            .field("login_type_name", "Registration")
                                            .field(
                                                    "service_profile_name",
                                                    "Default Service Profile - 60 Minute(s)")
                                            .started("2017-01-05T06:50:55+00:00")
                                            .ended("2017-01-05T07:00:00+00:00")
                                            .bytes(3_340_000, 900_580)
                                            .guest(
                                                    "Shagun Goel",
                                                    "shagun1486@outlook.com",
                                                    "8f627d10-1abc-44d8-b964-a7816388173a"));

            JsonNode s = http().get("/sessions", key.auth()).json().get("data").get(0);

            assertEquals(id, s.get("id").asText());
            assertEquals(ipera.id(), s.get("location_id").asText());
            assertEquals("WebKit", s.get("guest_device_description").asText());
            assertEquals("14:2d:27:e7:40:2b", s.get("guest_device_mac").asText());
            assertEquals("172.31.98.114", s.get("guest_device_ip").asText());
            assertEquals("", s.get("access_code").asText());
            assertEquals("Registration", s.get("login_type_name").asText());
            assertEquals("00:09:05", s.get("total_duration").asText());
            assertEquals("3.34 MB", s.get("downloaded_data").asText());
            assertEquals("900.58 kB", s.get("uploaded_data").asText());
            assertEquals("Offline", s.get("connection_status").asText());
            assertEquals(0, s.get("connection_status_value").asInt());
            assertEquals("2017-01-05T06:50:55+00:00", s.get("start_time").asText());
            assertEquals("2017-01-05 9:50 AM", s.get("start_time_formatted").asText());
            assertEquals("2017-01-05T07:00:00+00:00", s.get("end_time").asText());
            assertEquals("2017-01-05 10:00 AM", s.get("end_time_formatted").asText());
            assertEquals("8f627d10-1abc-44d8-b964-a7816388173a", s.get("yas_id").asText());
            assertEquals(11, s.get("guest_id").asText().length());
            assertEquals(3_340_000, s.get("downloaded_bytes").asLong());
            assertEquals(900_580, s.get("uploaded_bytes").asLong());
            assertEquals(545, s.get("duration_seconds").asLong());
            assertEquals("Europe/Istanbul", s.get("time_zone").asText());
        }
    }

    @Nested
    @DisplayName("filters")
    class Filters {

        private Tenant tenant;
        private Location lobby;
        private Location pool;
        private Key key;
        private String early;
        private String lateAtPool;
        private String onlineNow;
        private String otherDevice;

        @BeforeAll
        void sessions() {
            tenant = given().tenant("Europe/London");
            lobby = given().location(tenant, "Europe/London");
            pool = given().location(tenant, "America/New_York");
            key = given().readKey(tenant);
            List<String> ids =
                    given().sessions(
                                    session(lobby)
                                            .mac("14:2d:27:e7:40:2b")
                                            .started("2024-03-01T09:00:00Z")
                                            .ended("2024-03-01T10:00:00Z")
                                            .guest("Ann", "ann@example.com", "yas-ann"),
                                    session(pool)
                                            .mac("14:2d:27:e7:40:2b")
                                            .started("2024-03-02T03:30:00Z")
                                            .ended("2024-03-02T04:30:00Z")
                                            .guest("Ann", "ann@example.com", "yas-ann"),
                                    session(lobby)
                                            .mac("aa:bb:cc:dd:ee:ff")
                                            .started(Instant.now().minusSeconds(600))
                                            .online(),
                                    session(lobby)
                                            .mac("00:11:22:33:44:55")
                                            .started("2024-03-05T12:00:00Z")
                                            .ended("2024-03-05T12:30:00Z")
                                            .guest("Bob", "bob@example.com", "yas-bob"));
            early = ids.get(0);
            lateAtPool = ids.get(1);
            onlineNow = ids.get(2);
            otherDevice = ids.get(3);
        }

        private List<String> list(String query) {
            Http.Response r = http().get("/sessions?" + query, key.auth());
            assertEquals(200, r.status(), r.body());
            return ids(r);
        }

        @Test
        void noFilterListsEveryoneOldestFirst() {
            assertEquals(List.of(early, lateAtPool, otherDevice, onlineNow), list(""));
        }

        @Test
        void lastSessionFirstListsNewestFirst() {
            assertEquals(
                    List.of(onlineNow, otherDevice, lateAtPool, early),
                    list("last_session_first=true"));
        }

        @Test
        void locationIdKeepsThatVenueOnly() {
            assertEquals(List.of(lateAtPool), list("location_id=" + pool.id()));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "14:2d:27:e7:40:2b",
                    "14-2D-27-E7-40-2B",
                    "142d.27e7.402b",
                    "142d27e7402b"
                })
        void macInAnyCommonSpellingFindsTheDevice(String spelling) {
            assertEquals(List.of(early, lateAtPool), list("guest_device_mac=" + spelling));
        }

        @Test
        void guestIdKeepsThatGuestsSessions() {
            String annId =
                    http().get("/sessions", key.auth())
                            .json()
                            .get("data")
                            .get(0)
                            .get("guest_id")
                            .asText();

            assertEquals(List.of(early, lateAtPool), list("guest_id=" + annId));
        }

        @Test
        void yasIdKeepsThatGuestsSessions() {
            assertEquals(List.of(otherDevice), list("yas_id=yas-bob"));
        }

        @Test
        void onlineTrueKeepsOpenSessionsOnly() {
            assertEquals(List.of(onlineNow), list("online=true"));
        }

        @Test
        void onlineFalseKeepsTheRest() {
            assertEquals(List.of(early, lateAtPool, otherDevice), list("online=false"));
        }

        @Test
        void startTimeDayIsADayInTheTenantsZone() {
            // 2024-03-02 03:30 UTC is on 2 March in London
            assertEquals(
                    List.of(lateAtPool, otherDevice, onlineNow), list("start_time=2024-03-02"));
        }

        @Test
        void startTimeDayWithLocationIsADayInTheVenuesZone() {
            // 03:30 UTC on 2 March is still 1 March in New York, so the day 2024-03-02 there starts
            // later
            assertEquals(List.of(), list("location_id=" + pool.id() + "&start_time=2024-03-02"));
            assertEquals(
                    List.of(lateAtPool),
                    list("location_id=" + pool.id() + "&start_time=2024-03-01"));
        }

        @Test
        void endTimeDayKeepsSessionsEndedOnOrBeforeThatDayAndNoOnlineOnes() {
            assertEquals(List.of(early, lateAtPool), list("end_time=2024-03-02"));
        }

        @Test
        void fullTimestampsAreExactBounds() {
            assertEquals(
                    List.of(lateAtPool),
                    list("start_time=2024-03-02T03:30:00Z&end_time=2024-03-02T04:30:00%2B00:00"));
        }

        @Test
        void unencodedPlusInATimestampStillReadsAsAnOffset() {
            assertEquals(
                    List.of(lateAtPool),
                    list("start_time=2024-03-02T03:30:00+00:00&end_time=2024-03-04"));
        }

        @Test
        void filtersCombine() {
            assertEquals(
                    List.of(early),
                    list(
                            "guest_device_mac=142d27e7402b&location_id="
                                    + lobby.id()
                                    + "&end_time=2024-03-31&yas_id=yas-ann&online=false"));
        }

        @Test
        void wellFormedButUnknownIdsMatchNothing() {
            Location elsewhere = given().location(given().tenant());

            assertEquals(List.of(), list("location_id=" + elsewhere.id()));
            assertEquals(List.of(), list("guest_id=" + lobby.id()));
        }
    }

    @Nested
    @DisplayName("paging")
    class Paging {

        private Key key;
        private List<String> all;
        private Location venue;

        @BeforeAll
        void sessions() {
            Tenant tenant = given().tenant();
            venue = given().location(tenant);
            key = given().readKey(tenant);
            Instant start = Instant.parse("2024-01-01T00:00:00Z");
            var specs = new captiva.testing.Fixtures.SessionSpec[25];
            for (int i = 0; i < specs.length; i++) {
                specs[i] =
                        session(venue)
                                .started(start.plusSeconds(3600L * i))
                                .ended(start.plusSeconds(3600L * i + 60));
            }
            all = given().sessions(specs);
        }

        @Test
        void defaultPageHasTenOldestAndLinksToTheNext() {
            Http.Response r = http().get("/sessions", key.auth());
            JsonNode links = r.json().get("links");
            JsonNode meta = r.json().get("meta");

            assertEquals(all.subList(0, 10), ids(r));
            assertEquals("/sessions?page=1", links.get("first").asText());
            assertTrue(links.get("last").isNull());
            assertTrue(links.get("prev").isNull());
            assertEquals("/sessions?page=2", links.get("next").asText());
            assertEquals(1, meta.get("current_page").asInt());
            assertEquals(1, meta.get("from").asInt());
            assertEquals(10, meta.get("to").asInt());
            assertEquals(10, meta.get("per_page").asInt());
            assertEquals("/sessions", meta.get("path").asText());
        }

        @Test
        void lastPartialPageHasPrevButNoNext() {
            Http.Response r = http().get("/sessions?per_page=10&page=3", key.auth());
            JsonNode links = r.json().get("links");

            assertEquals(all.subList(20, 25), ids(r));
            assertTrue(links.get("next").isNull());
            assertEquals("/sessions?per_page=10&page=2", links.get("prev").asText());
            assertEquals(21, r.json().get("meta").get("from").asInt());
            assertEquals(25, r.json().get("meta").get("to").asInt());
        }

        @Test
        void exactlyFullLastPageHasNoNext() {
            Http.Response r = http().get("/sessions?per_page=25", key.auth());

            assertEquals(all, ids(r));
            assertTrue(r.json().get("links").get("next").isNull());
        }

        @Test
        void pageBeyondTheEndIsEmptyWithNullPositions() {
            Http.Response r = http().get("/sessions?page=9", key.auth());

            assertEquals(List.of(), ids(r));
            assertTrue(r.json().get("meta").get("from").isNull());
            assertTrue(r.json().get("meta").get("to").isNull());
            assertTrue(r.json().get("links").get("next").isNull());
        }

        @Test
        void linksKeepEveryFilter() {
            Http.Response r =
                    http().get(
                                    "/sessions?location_id="
                                            + venue.id()
                                            + "&online=false&start_time=2024-01-01&last_session_first=true&per_page=5&page=2",
                                    key.auth());
            JsonNode links = r.json().get("links");
            String expectedQuery =
                    "location_id="
                            + venue.id()
                            + "&start_time=2024-01-01&online=false&last_session_first=true&per_page=5&page=";

            assertEquals("/sessions?" + expectedQuery + "3", links.get("next").asText());
            assertEquals("/sessions?" + expectedQuery + "1", links.get("prev").asText());
            assertEquals(
                    List.of(all.get(19), all.get(18), all.get(17), all.get(16), all.get(15)),
                    ids(r));
        }

        @Test
        void followingNextVisitsEverySessionOnce() {
            List<String> seen = new ArrayList<>();
            String next = "/sessions?per_page=7";
            while (next != null) {
                Http.Response r = http().get(next.replace(http().base(), ""), key.auth());
                seen.addAll(ids(r));
                JsonNode link = r.json().get("links").get("next");
                next = link.isNull() ? null : link.asText();
            }

            assertEquals(all, seen);
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        private Key key;

        @BeforeAll
        void key() {
            key = given().readKey(given().tenant());
        }

        private void assertRejectedNaming(String query, String... names) {
            Http.Response r = http().get("/sessions?" + query, key.auth());

            assertEquals(400, r.status(), r.body());
            assertEquals("application/problem+json", r.contentType());
            List<String> named = new ArrayList<>();
            r.json().get("errors").forEach(e -> named.add(e.get("name").asText()));
            assertEquals(List.of(names), named, r.body());
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "101", "-1", "ten", "1.5", "99999999999"})
        void perPageOutOfRangeIsRejectedNamingPerPage(String perPage) {
            assertRejectedNaming("per_page=" + perPage, "per_page");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-3", "x"})
        void pageBelowOneIsRejectedNamingPage(String page) {
            assertRejectedNaming("page=" + page, "page");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "2024-13-01",
                    "2024-02-30",
                    "yesterday",
                    "01/02/2024",
                    "2024-01-01T10:00:00",
                    "1969-12-31",
                    "%2B999999999-12-31T00:00:00Z",
                    "-999999999-01-01T00:00:00Z",
                    "2024-01-01T00:00:00%2B99:00"
                })
        void malformedDatesAreRejected(String date) {
            assertRejectedNaming("start_time=" + date, "start_time");
            assertRejectedNaming("end_time=" + date, "end_time");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {"zz:2d:27:e7:40:2b", "14:2d:27:e7:40", "14:2d-27:e7:40:2b", "not-a-mac"})
        void malformedMacIsRejected(String mac) {
            assertRejectedNaming("guest_device_mac=" + mac, "guest_device_mac");
        }

        @Test
        void onlineMaybeIsRejected() {
            assertRejectedNaming("online=maybe", "online");
        }

        @Test
        void malformedLocationIdIsRejected() {
            assertRejectedNaming("location_id=12", "location_id");
            assertRejectedNaming("location_id=%27%20OR%201%3D1--", "location_id");
        }

        @Test
        void nulCharacterInAParameterIsRejected() {
            assertRejectedNaming("yas_id=a%00b", "yas_id");
        }

        @Test
        void repeatedParameterIsRejectedNotGuessed() {
            assertRejectedNaming("per_page=5&per_page=50", "per_page");
        }

        @Test
        void everyBadParameterIsNamedAtOnce() {
            assertRejectedNaming(
                    "online=maybe&per_page=0&page=0&guest_device_mac=x",
                    "guest_device_mac",
                    "online",
                    "page",
                    "per_page");
        }
    }

    @Nested
    @DisplayName("tenant isolation")
    class TenantIsolation {

        @Test
        void aKeySeesOnlyItsTenantsSessions() {
            Tenant mine = given().tenant();
            Tenant theirs = given().tenant();
            String own = given().session(session(given().location(mine)));
            given().session(session(given().location(theirs)));

            Http.Response r = http().get("/sessions?per_page=100", given().readKey(mine).auth());

            assertEquals(List.of(own), ids(r));
        }

        @Test
        void otherTenantsLocationIdLooksUnknown() {
            Tenant mine = given().tenant();
            Location theirs = given().location(given().tenant());
            given().session(session(theirs));

            Http.Response r =
                    http().get(
                                    "/sessions?location_id=" + theirs.id(),
                                    given().readKey(mine).auth());

            assertEquals(200, r.status());
            assertEquals(List.of(), ids(r));
        }

        @Test
        void otherTenantsGuestIdAndYasIdLookUnknown() {
            Tenant mine = given().tenant();
            Location theirs = given().location(given().tenant());
            given().session(session(theirs).guest("Eve", "eve@example.com", "yas-eve-shared"));
            String theirGuest =
                    http().get("/sessions", given().readKey(theirs.tenant()).auth())
                            .json()
                            .get("data")
                            .get(0)
                            .get("guest_id")
                            .asText();
            Key myKey = given().readKey(mine);

            assertEquals(
                    List.of(), ids(http().get("/sessions?guest_id=" + theirGuest, myKey.auth())));
            assertEquals(
                    List.of(), ids(http().get("/sessions?yas_id=yas-eve-shared", myKey.auth())));
        }

        @Test
        void locationRestrictedKeySeesOnlyItsLocations() {
            Tenant tenant = given().tenant();
            Location lobby = given().location(tenant);
            Location bar = given().location(tenant);
            String atLobby = given().session(session(lobby));
            given().session(session(bar));
            Key lobbyOnly = given().readKey(tenant, lobby);

            assertEquals(List.of(atLobby), ids(http().get("/sessions", lobbyOnly.auth())));
            assertEquals(
                    List.of(),
                    ids(http().get("/sessions?location_id=" + bar.id(), lobbyOnly.auth())));
        }
    }
}
