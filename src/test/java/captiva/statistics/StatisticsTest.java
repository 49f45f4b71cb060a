package captiva.statistics;

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
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GET /sessions/statistics on a small venue history whose figures are worked out by hand below. The
 * property test {@code StatisticsProperties} covers random histories.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/statistics")
class StatisticsTest extends ApiTest {

    /** 2 May 2024 in London (BST): 2024-05-01T23:00Z to 2024-05-02T23:00Z. */
    private static final String MAY_2 = "start_time=2024-05-02&end_time=2024-05-02";

    private Tenant tenant;
    private Location lobby;
    private Location bar;
    private Key key;

    @BeforeAll
    void history() {
        tenant = given().tenant("Europe/London");
        lobby = given().location(tenant, "Europe/London");
        bar = given().location(tenant, "America/New_York");
        key = given().readKey(tenant);
        given().sessions(
                        // Guest A on 1 May: makes A a returning guest on 2 May.
                        session(lobby)
                                .started("2024-05-01T09:00:00Z")
                                .ended("2024-05-01T09:30:00Z")
                                .mac("02:00:00:00:00:01")
                                .guest("A", "a@example.com", "yas-a"),
                        // 2 May: A for an hour (3600 s), an anonymous device for 600 s, a session
                        // with no guest
                        // and no device (1800 s), and guest B at the bar in New York (7200 s).
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:01")
                                .guest("A", "a@example.com", "yas-a")
                                .bytes(2_000_000, 100_000),
                        session(lobby)
                                .started("2024-05-02T10:30:00Z")
                                .ended("2024-05-02T10:40:00Z")
                                .mac("02:00:00:00:00:02")
                                .bytes(340_000, 5_000),
                        session(lobby)
                                .started("2024-05-02T10:15:00Z")
                                .ended("2024-05-02T10:45:00Z"),
                        session(bar)
                                .started("2024-05-02T14:00:00Z")
                                .ended("2024-05-02T16:00:00Z")
                                .mac("02:00:00:00:00:03")
                                .guest("B", "b@example.com", "yas-b")
                                .bytes(1_000_000_000L, 0));
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private JsonNode statistics(Key key, String query) {
        Http.Response r = http().get("/sessions/statistics?" + query, key.auth());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Nested
    @DisplayName("the whole selection")
    class WholeSelection {

        @Test
        void everyFigureOfADay() {
            JsonNode total = statistics(key, MAY_2).get("total");

            assertEquals(4, total.get("sessions").asLong());
            assertEquals(
                    3,
                    total.get("unique_guests").asLong(),
                    "A, B and the anonymous device; not the session with neither");
            assertEquals(3, total.get("unique_devices").asLong());
            assertEquals(1, total.get("returning_guests").asLong(), "A was seen on 1 May");
            assertEquals(
                    "33.33",
                    total.get("returning_guests_percentage").decimalValue().toPlainString());
            assertEquals(
                    3300,
                    total.get("average_duration_seconds").asLong(),
                    "(3600 + 600 + 1800 + 7200) / 4");
            assertEquals("00:55:00", total.get("average_duration").asText());
            assertEquals(
                    1800,
                    total.get("median_duration_seconds").asLong(),
                    "the lower of the two middle durations");
            assertEquals("00:30:00", total.get("median_duration").asText());
            assertEquals(1_002_340_000L, total.get("downloaded_bytes").asLong());
            assertEquals("1.00 GB", total.get("downloaded_data").asText());
            assertEquals(105_000, total.get("uploaded_bytes").asLong());
            assertEquals("105.00 kB", total.get("uploaded_data").asText());
            assertEquals(
                    2,
                    total.get("peak_guests_online").asLong(),
                    "A and the anonymous device at 10:30");
            assertEquals(0, total.get("guests_online_now").asLong());
        }

        @Test
        void aGuestOnTwoDevicesAtOnceIsOneGuestOnline() {
            Tenant hotel = given().tenant("Europe/London");
            Location venue = given().location(hotel);
            Key hotelKey = given().readKey(hotel);
            given().sessions(
                            session(venue)
                                    .started("2024-05-02T10:00:00Z")
                                    .ended("2024-05-02T11:00:00Z")
                                    .mac("02:00:00:00:00:01")
                                    .guest("C", "c@example.com", "yas-c"),
                            session(venue)
                                    .started("2024-05-02T10:30:00Z")
                                    .ended("2024-05-02T11:30:00Z")
                                    .mac("02:00:00:00:00:02")
                                    .guest("C", "c@example.com", "yas-c"),
                            // Another guest right after the first left: an end and a start at the
                            // same instant.
                            session(venue)
                                    .started("2024-05-02T11:30:00Z")
                                    .ended("2024-05-02T12:00:00Z")
                                    .mac("02:00:00:00:00:03"));

            JsonNode total = statistics(hotelKey, "").get("total");

            assertEquals(1, total.get("peak_guests_online").asLong());
            assertEquals(3, total.get("unique_devices").asLong());
        }

        @Test
        void pagerSummaryRepeatsGuestsAverageAndSessions() {
            JsonNode total = statistics(key, MAY_2).get("total");

            assertEquals(3, total.get("guests_served").asLong());
            assertEquals("00:55:00", total.get("average_time_served").asText());
            assertEquals(4, total.get("num_sessions").asLong());
        }

        @Test
        void withoutAStartNobodyIsReturning() {
            JsonNode total = statistics(key, "").get("total");

            assertEquals(5, total.get("sessions").asLong());
            assertEquals(0, total.get("returning_guests").asLong());
        }

        @Test
        void filtersAreThoseOfTheSessionList() {
            JsonNode total =
                    statistics(key, MAY_2 + "&guest_device_mac=02-00-00-00-00-01").get("total");

            assertEquals(1, total.get("sessions").asLong());
            assertEquals(3600, total.get("median_duration_seconds").asLong());
        }

        @Test
        void anEmptySelectionHasZerosAndNoAverages() {
            JsonNode total = statistics(key, "start_time=2030-01-01").get("total");

            assertEquals(0, total.get("sessions").asLong());
            assertTrue(total.get("average_duration").isNull());
            assertTrue(total.get("median_duration_seconds").isNull());
            assertTrue(total.get("returning_guests_percentage").isNull());
            assertEquals("0 B", total.get("downloaded_data").asText());
        }

        @Test
        void anOpenSessionCountsOnlineNowWithItsDurationSoFar() {
            Tenant live = given().tenant("Europe/London");
            Location venue = given().location(live);
            Key liveKey = given().readKey(live);
            Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
            given().session(session(venue).started(started).online().mac("02:00:00:00:00:09"));
            clock.freezeAt(started.plusSeconds(900));

            JsonNode total = statistics(liveKey, "").get("total");

            assertEquals(1, total.get("guests_online_now").asLong());
            assertEquals(900, total.get("median_duration_seconds").asLong());
            assertEquals(1, total.get("peak_guests_online").asLong());
        }

        @Test
        void anOpenSessionSilentPastTheStaleTimeoutIsNotOnlineAndStopsAtItsLastUpdate() {
            Tenant live = given().tenant("Europe/London");
            Location venue = given().location(live);
            Key liveKey = given().readKey(live);
            given().session(
                            session(venue)
                                    .started(Instant.now().minusSeconds(600))
                                    .online()
                                    .mac("02:00:00:00:00:09"));
            clock.advance(Duration.ofHours(1));

            JsonNode total = statistics(liveKey, "").get("total");

            assertEquals(0, total.get("guests_online_now").asLong());
            assertTrue(total.get("median_duration_seconds").asLong() < 700, total.toString());
        }
    }

    @Nested
    @DisplayName("group_by")
    class Groups {

        @Test
        void byLocation() {
            JsonNode report = statistics(key, MAY_2 + "&group_by=location");

            assertEquals("location", report.get("group_by").asText());
            JsonNode groups = report.get("groups");
            assertEquals(2, groups.size());
            assertEquals(lobby.id(), groups.get(0).get("group").asText());
            assertEquals(3, groups.get(0).get("statistics").get("sessions").asLong());
            assertEquals(1, groups.get(0).get("statistics").get("returning_guests").asLong());
            assertEquals(bar.id(), groups.get(1).get("group").asText());
            assertEquals(1, groups.get(1).get("statistics").get("peak_guests_online").asLong());
            assertEquals(4, report.get("total").get("sessions").asLong());
        }

        @Test
        void byDayInEachVenuesTimeZone() {
            JsonNode groups = statistics(key, "group_by=day").get("groups");

            assertEquals(2, groups.size());
            assertEquals("2024-05-01", groups.get(0).get("group").asText());
            assertEquals("2024-05-02", groups.get(1).get("group").asText());
            assertEquals(4, groups.get(1).get("statistics").get("sessions").asLong());
            assertEquals(
                    1,
                    groups.get(1).get("statistics").get("returning_guests").asLong(),
                    "returning: seen before that day");
        }

        @Test
        void byHourOnTheTenantsClockWithoutALocation() {
            JsonNode groups = statistics(key, MAY_2 + "&group_by=hour").get("groups");

            assertEquals(2, groups.size());
            assertEquals("2024-05-02T11:00:00+01:00", groups.get(0).get("group").asText());
            assertEquals(3, groups.get(0).get("statistics").get("sessions").asLong());
            assertEquals(
                    "2024-05-02T15:00:00+01:00",
                    groups.get(1).get("group").asText(),
                    "the bar's 10 a.m. in New York");
        }

        @Test
        void byHourOnTheVenuesClockWithALocation() {
            JsonNode groups =
                    statistics(key, MAY_2 + "&location_id=" + bar.id() + "&group_by=hour")
                            .get("groups");

            assertEquals(1, groups.size());
            assertEquals("2024-05-02T10:00:00-04:00", groups.get(0).get("group").asText());
        }

        @Test
        void oneInstantIsOneHourGroupWhateverTheVenuesOffsets() {
            Tenant chain = given().tenant("Europe/London");
            Location london = given().location(chain, "Europe/London");
            Location newYork = given().location(chain, "America/New_York");
            Location kolkata = given().location(chain, "Asia/Kolkata");
            Key chainKey = given().readKey(chain);
            given().sessions(
                            session(london)
                                    .started("2024-05-02T10:05:00Z")
                                    .ended("2024-05-02T10:20:00Z"),
                            session(newYork)
                                    .started("2024-05-02T10:10:00Z")
                                    .ended("2024-05-02T10:20:00Z"),
                            session(kolkata)
                                    .started("2024-05-02T10:15:00Z")
                                    .ended("2024-05-02T10:20:00Z"));

            JsonNode groups = statistics(chainKey, "group_by=hour").get("groups");

            assertEquals(1, groups.size(), groups.toString());
            assertEquals("2024-05-02T11:00:00+01:00", groups.get(0).get("group").asText());
            assertEquals(3, groups.get(0).get("statistics").get("sessions").asLong());
            assertTrue(groups.get(0).get("location_name").isNull());
        }

        @Test
        void byLocationEachGroupNamesItsVenue() {
            JsonNode venues = http().get("/locations", key.auth()).json().get("data");

            JsonNode groups = statistics(key, MAY_2 + "&group_by=location").get("groups");

            assertEquals(2, groups.size());
            for (JsonNode group : groups) {
                JsonNode venue = null;
                for (JsonNode v : venues) {
                    venue = v.get("id").asText().equals(group.get("group").asText()) ? v : venue;
                }
                assertEquals(
                        venue.get("name").asText(),
                        group.get("location_name").asText(),
                        group.toString());
            }
        }

        @Test
        void theTwoOneOClockHoursOfTheAutumnChangeStayApart() {
            Tenant autumn = given().tenant("Europe/London");
            Location venue = given().location(autumn);
            Key autumnKey = given().readKey(autumn);
            given().sessions(
                            session(venue)
                                    .started("2024-10-27T00:10:00Z")
                                    .ended("2024-10-27T00:20:00Z"), // 01:10 BST
                            session(venue)
                                    .started("2024-10-27T01:10:00Z")
                                    .ended("2024-10-27T01:20:00Z")); // 01:10 GMT

            JsonNode groups = statistics(autumnKey, "group_by=hour").get("groups");

            assertEquals(2, groups.size());
            assertEquals("2024-10-27T01:00:00+01:00", groups.get(0).get("group").asText());
            assertEquals("2024-10-27T01:00:00+00:00", groups.get(1).get("group").asText());
        }
    }

    @Nested
    @DisplayName("tenant isolation")
    class Isolation {

        @Test
        void aLocationRestrictedKeySeesOnlyItsVenuesAndTheirHistory() {
            Key barOnly = given().readKey(tenant, bar);

            JsonNode total = statistics(barOnly, MAY_2).get("total");

            assertEquals(1, total.get("sessions").asLong());
            assertEquals(0, total.get("returning_guests").asLong());
        }

        @Test
        void aGuestSeenBeforeOnlyAtAVenueTheKeyMayNotSeeIsNotReturning() {
            Tenant chain = given().tenant("Europe/London");
            Location seen = given().location(chain);
            Location restrictedTo = given().location(chain);
            Key wholeChain = given().readKey(chain);
            Key oneVenue = given().readKey(chain, restrictedTo);
            given().sessions(
                            session(seen)
                                    .started("2024-05-02T10:00:00Z")
                                    .ended("2024-05-02T10:10:00Z")
                                    .mac("02:00:00:00:00:01"),
                            session(restrictedTo)
                                    .started("2024-05-03T10:00:00Z")
                                    .ended("2024-05-03T10:10:00Z")
                                    .mac("02:00:00:00:00:01"));

            JsonNode wholeTenant =
                    statistics(wholeChain, "start_time=2024-05-03&location_id=" + restrictedTo.id())
                            .get("total");
            JsonNode restricted =
                    statistics(oneVenue, "start_time=2024-05-03&location_id=" + restrictedTo.id())
                            .get("total");

            assertEquals(1, wholeTenant.get("returning_guests").asLong());
            assertEquals(0, restricted.get("returning_guests").asLong());
        }

        @Test
        void anotherTenantsLocationLooksEmpty() {
            Location foreign = given().location(given().tenant());

            JsonNode report = statistics(key, "group_by=location&location_id=" + foreign.id());

            assertEquals(0, report.get("total").get("sessions").asLong());
            assertEquals(0, report.get("groups").size());
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        void unknownGroupByIsAProblemNamingIt() {
            Http.Response r = http().get("/sessions/statistics?group_by=week", key.auth());

            assertEquals(400, r.status());
            assertEquals("application/problem+json", r.header("Content-Type").orElseThrow());
            assertEquals("group_by", r.json().get("errors").get(0).get("name").asText());
        }

        @ParameterizedTest
        @ValueSource(strings = {"page=2", "per_page=5", "cursor=", "last_session_first=true"})
        void pagingIsRefusedNotIgnored(String query) {
            Http.Response r = http().get("/sessions/statistics?" + query, key.auth());

            assertEquals(400, r.status(), r.body());
            assertEquals(
                    query.substring(0, query.indexOf('=')),
                    r.json().get("errors").get(0).get("name").asText());
        }

        @Test
        void badFiltersAreProblemsLikeOnTheSessionList() {
            Http.Response r =
                    http().get(
                                    "/sessions/statistics?online=maybe&start_time=yesterday",
                                    key.auth());

            assertEquals(400, r.status());
            assertEquals(2, r.json().get("errors").size());
        }

        @Test
        void withoutAKeyIs401() {
            assertEquals(401, http().get("/sessions/statistics").status());
        }
    }
}
