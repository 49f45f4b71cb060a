package captiva.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.sessions.AccountingEvent;
import captiva.sessions.SessionRecorder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("The event log and GET /events")
class EventLogTest extends ApiTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Inject EventSequencer sequencer;

    @Inject SessionRecorder recorder;

    @Inject OpaqueIds ids;

    /**
     * A venue with a NAS, an ingest key and a read key that already reads the log (so it is on).
     */
    record Venue(Location location, String nasId, Key ingest, Key read) {}

    Venue aVenue() {
        Location location = given().location(given().tenant());
        String nasId =
                http().post(
                                "/admin/tenants/"
                                        + location.tenant().id()
                                        + "/locations/"
                                        + location.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        "192.0.2.1",
                                        "identifier",
                                        "events-ap-" + SEQUENCE.incrementAndGet(),
                                        "secret",
                                        "x"),
                                Fixtures.admin())
                        .json()
                        .get("id")
                        .asText();
        Venue venue =
                new Venue(
                        location,
                        nasId,
                        given().key(location.tenant(), List.of("ingest"), null, 100_000),
                        given().readKey(location.tenant()));
        assertEquals(200, events(venue, "").status());
        return venue;
    }

    Map<String, Object> record(
            Venue venue, String type, String acctSessionId, String eventTime, Object... fields) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("nas_id", venue.nasId());
        record.put("acct_status_type", type);
        record.put("acct_session_id", acctSessionId);
        record.put("event_time", eventTime);
        for (int i = 0; i < fields.length; i += 2) {
            record.put((String) fields[i], fields[i + 1]);
        }
        return record;
    }

    void ingest(Venue venue, Object records) {
        Http.Response r = http().post("/ingest/accounting", records, venue.ingest().auth());
        assertEquals(200, r.status(), r::body);
    }

    Http.Response events(Venue venue, String query) {
        return http().get("/events" + query, venue.read().auth());
    }

    /** Every event logged so far, after numbering the committed ones. */
    List<JsonNode> allEvents(Venue venue) {
        sequencer.sequence();
        List<JsonNode> all = new ArrayList<>();
        events(venue, "?per_page=1000").json().get("data").forEach(all::add);
        return all;
    }

    static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    @Nested
    @DisplayName("what is logged")
    class WhatIsLogged {

        @Test
        void startInterimStopLogsStartedAndEndedWithTheFinalCounters() {
            Venue venue = aVenue();

            ingest(
                    venue,
                    List.of(
                            record(
                                    venue,
                                    "Start",
                                    "e-1",
                                    "2026-12-01T12:00:00Z",
                                    "username",
                                    "ann",
                                    "guest_device_ip",
                                    "10.7.0.1"),
                            record(
                                    venue,
                                    "Interim-Update",
                                    "e-1",
                                    "2026-12-01T12:05:00Z",
                                    "acct_output_octets",
                                    1000)));
            ingest(
                    venue,
                    List.of(
                            record(
                                    venue,
                                    "Stop",
                                    "e-1",
                                    "2026-12-01T12:09:05Z",
                                    "acct_session_time",
                                    545,
                                    "acct_output_octets",
                                    3_340_000,
                                    "acct_input_octets",
                                    900_580,
                                    "acct_terminate_cause",
                                    "User-Request")));

            List<JsonNode> events = allEvents(venue);
            assertEquals(List.of("session.started", "session.ended"), types(events));
            JsonNode started = events.get(0);
            assertEquals("2026-12-01T12:00:00+00:00", started.get("timestamp").asText());
            assertEquals("ann", started.get("data").get("username").asText());
            assertEquals("10.7.0.1", started.get("data").get("guest_device_ip").asText());
            assertEquals(venue.location().id(), started.get("data").get("location_id").asText());
            JsonNode ended = events.get(1).get("data");
            assertEquals(started.get("data").get("session_id"), ended.get("session_id"));
            assertEquals("2026-12-01T12:09:05+00:00", ended.get("end_time").asText());
            assertEquals(545, ended.get("duration_seconds").asLong());
            assertEquals(3_340_000, ended.get("downloaded_bytes").asLong());
            assertEquals(900_580, ended.get("uploaded_bytes").asLong());
            assertEquals("User-Request", ended.get("terminate_cause").asText());
        }

        @Test
        void aRepeatedStopOrALateInterimLogsNothingMore() {
            Venue venue = aVenue();
            ingest(
                    venue,
                    List.of(
                            record(venue, "Start", "e-2", "2026-12-01T12:00:00Z"),
                            record(venue, "Stop", "e-2", "2026-12-01T12:10:00Z")));

            ingest(
                    venue,
                    List.of(
                            record(venue, "Stop", "e-2", "2026-12-01T12:11:00Z"),
                            record(venue, "Interim-Update", "e-2", "2026-12-01T12:12:00Z")));

            assertEquals(List.of("session.started", "session.ended"), types(allEvents(venue)));
        }

        @Test
        void anAccountingOnLogsTheEndOfTheOpenSessionsItClosesOnly() {
            Venue venue = aVenue();
            ingest(
                    venue,
                    List.of(
                            record(venue, "Start", "e-4", "2026-12-01T12:00:00Z"),
                            record(venue, "Start", "e-5", "2026-12-01T12:01:00Z"),
                            record(venue, "Stop", "e-5", "2026-12-01T12:02:00Z")));

            ingest(venue, List.of(record(venue, "Accounting-On", null, "2026-12-01T12:30:00Z")));

            List<JsonNode> events = allEvents(venue);
            assertEquals(
                    List.of("session.started", "session.started", "session.ended", "session.ended"),
                    types(events));
            assertEquals(
                    "2026-12-01T12:30:00+00:00",
                    events.get(3).get("data").get("end_time").asText());
        }

        @Test
        void aStopWithoutStartLogsBothInOrder() {
            Venue venue = aVenue();

            ingest(
                    venue,
                    List.of(
                            record(
                                    venue,
                                    "Stop",
                                    "e-3",
                                    "2026-12-01T12:10:00Z",
                                    "acct_session_time",
                                    600)));

            List<JsonNode> events = allEvents(venue);
            assertEquals(List.of("session.started", "session.ended"), types(events));
            assertEquals("2026-12-01T12:00:00+00:00", events.get(0).get("timestamp").asText());
        }

        @Test
        void importedSessionsAreLoggedStartedAndEndedWhenClosed() {
            Venue venue = aVenue();
            Instant start =
                    Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

            given().sessions(
                            Fixtures.session(venue.location())
                                    .started(start)
                                    .ended(start.plusSeconds(60)),
                            Fixtures.session(venue.location()).started(start).online());

            assertEquals(
                    List.of("session.started", "session.ended", "session.started"),
                    types(allEvents(venue)));
        }

        @Test
        void aLoginIsLoggedAndAnErasureLeavesOnlyIds() {
            Venue venue = aVenue();
            Key portal = venue.ingest();
            Map<String, Object> login = new LinkedHashMap<>();
            login.put("location_id", venue.location().id());
            login.put("username", "ann-0042");
            login.put("guest", Map.of("name", "Ann Example", "email", "ann@example.com"));
            assertEquals(
                    201, http().post("/ingest/logins", List.of(login), portal.auth()).status());

            List<JsonNode> before = allEvents(venue);
            assertEquals(List.of("login.created"), types(before));
            assertEquals("ann@example.com", before.get(0).get("data").get("guest_email").asText());
            String guestId = before.get(0).get("data").get("guest_id").asText();

            assertEquals(
                    200,
                    http().post(
                                    "/admin/tenants/"
                                            + venue.location().tenant().id()
                                            + "/guests/erase",
                                    Map.of("email", "ann@example.com"),
                                    Fixtures.admin())
                            .status());

            List<JsonNode> after = allEvents(venue);
            assertEquals(List.of("login.created", "guest.erased"), types(after));
            assertEquals(guestId, after.get(1).get("data").get("guest_id").asText());
            assertEquals(
                    1, after.get(1).get("data").size(), "a tombstone carries the guest's id only");
            assertTrue(
                    after.get(0).get("data").get("guest_email").isNull(),
                    "the erased guest's email left the log");
            assertTrue(after.get(0).get("data").get("username").isNull());
        }

        @Test
        void aTenantNobodyReadsLogsNothing() {
            Location location = given().location(given().tenant());
            Key read = given().readKey(location.tenant());
            given().session(Fixtures.session(location));

            sequencer.sequence();

            assertEquals(0, http().get("/events", read.auth()).json().get("data").size());
        }

        @Test
        void aRolledBackBatchLogsNothing() {
            Venue venue = aVenue();
            long tenant =
                    ids.decode(OpaqueIds.Kind.TENANT, venue.location().tenant().id()).orElseThrow();
            long location =
                    ids.decode(OpaqueIds.Kind.LOCATION, venue.location().id()).orElseThrow();
            long nas = ids.decode(OpaqueIds.Kind.NAS, venue.nasId()).orElseThrow();
            Instant at = Instant.parse("2026-12-01T12:00:00Z");
            AccountingEvent good =
                    new AccountingEvent(
                            tenant,
                            location,
                            nas,
                            "good",
                            AccountingEvent.Type.START,
                            at,
                            null,
                            null,
                            null,
                            0,
                            0,
                            null,
                            null);
            AccountingEvent refused =
                    new AccountingEvent(
                            tenant,
                            Long.MAX_VALUE,
                            nas,
                            "refused",
                            AccountingEvent.Type.START,
                            at,
                            null,
                            null,
                            null,
                            0,
                            0,
                            null,
                            null);

            assertThrows(RuntimeException.class, () -> recorder.record(List.of(good, refused)));

            assertEquals(List.of(), types(allEvents(venue)));
        }
    }

    @Nested
    @DisplayName("paging")
    class Paging {

        @Test
        void linksNextWalksTheLogOnceAndWaitsAtItsEnd() {
            Venue venue = aVenue();
            for (int i = 0; i < 3; i++) {
                ingest(
                        venue,
                        List.of(record(venue, "Start", "p-" + i, "2026-12-01T12:00:0" + i + "Z")));
            }
            sequencer.sequence();

            List<String> seen = new ArrayList<>();
            String next = "/events?per_page=2";
            for (int page = 0; page < 3; page++) {
                JsonNode body =
                        http().get(next.replaceFirst("^https?://[^/]+", ""), venue.read().auth())
                                .json();
                body.get("data").forEach(e -> seen.add(e.get("id").asText()));
                next = body.get("links").get("next").asText();
            }
            assertEquals(3, seen.size());
            assertEquals(3, seen.stream().distinct().count());

            ingest(venue, List.of(record(venue, "Start", "p-3", "2026-12-01T12:00:09Z")));
            sequencer.sequence();
            JsonNode later =
                    http().get(next.replaceFirst("^https?://[^/]+", ""), venue.read().auth())
                            .json();
            assertEquals(1, later.get("data").size());
            assertTrue(
                    later.get("links")
                            .get("next")
                            .asText()
                            .contains("after=" + later.get("data").get(0).get("id").asText()));
        }

        @Test
        void typesKeepsOnlyThoseTypes() {
            Venue venue = aVenue();
            ingest(
                    venue,
                    List.of(
                            record(venue, "Start", "t-1", "2026-12-01T12:00:00Z"),
                            record(venue, "Stop", "t-1", "2026-12-01T12:10:00Z")));
            sequencer.sequence();

            JsonNode body = events(venue, "?types=session.ended").json();

            assertEquals(List.of("session.ended"), types(List.of(body.get("data").get(0))));
            assertEquals(1, body.get("data").size());
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        void anUnknownTypeIsRejectedNamingTypes() {
            Http.Response r = events(aVenue(), "?types=session.started,session.paused");

            assertEquals(400, r.status());
            assertEquals("types", r.json().get("errors").get(0).get("name").asText());
        }

        @Test
        void anotherTenantsPositionIsRejectedNamingAfter() {
            Venue mine = aVenue();
            Venue theirs = aVenue();
            ingest(theirs, List.of(record(theirs, "Start", "x-1", "2026-12-01T12:00:00Z")));
            String theirId = allEvents(theirs).get(0).get("id").asText();

            Http.Response r = events(mine, "?after=" + theirId);

            assertEquals(400, r.status());
            assertEquals("after", r.json().get("errors").get(0).get("name").asText());
        }

        @Test
        void perPageOutOfRangeIsRejected() {
            Http.Response r = events(aVenue(), "?per_page=1001");

            assertEquals(400, r.status());
            assertEquals("per_page", r.json().get("errors").get(0).get("name").asText());
        }

        @Test
        void aKeyLimitedToOneVenueSeesOnlyItsEvents() {
            Venue venue = aVenue();
            Location other = given().location(venue.location().tenant());
            Key lobbyOnly = given().readKey(venue.location().tenant(), venue.location());
            given().session(Fixtures.session(other));
            ingest(venue, List.of(record(venue, "Start", "v-1", "2026-12-01T12:00:00Z")));
            sequencer.sequence();

            JsonNode data = http().get("/events", lobbyOnly.auth()).json().get("data");

            assertEquals(1, data.size());
            assertEquals(
                    venue.location().id(), data.get(0).get("data").get("location_id").asText());
        }
    }
}
