package captiva.sessions;

import static captiva.sessions.AccountingEvent.Type.ACCOUNTING_ON;
import static captiva.sessions.AccountingEvent.Type.INTERIM_UPDATE;
import static captiva.sessions.AccountingEvent.Type.START;
import static captiva.sessions.AccountingEvent.Type.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.common.OpaqueIds;
import captiva.events.EventSequencer;
import captiva.tenancy.NasRegistry;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("identity across reconnects")
class ReconnectTest extends ApiTest {

    private static final Instant T0 = Instant.parse("2026-11-30T09:00:00Z");
    private static final String PHONE = "14:2d:27:e7:40:2b";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Inject SessionRecorder recorder;
    @Inject NasRegistry nasRegistry;
    @Inject OpaqueIds ids;
    @Inject EventSequencer sequencer;

    /** A venue of a tenant of its own, with two NAS and a key that reads sessions and events. */
    record Venue(long tenantId, long locationId, long nasId, long otherNasId, Key key) {}

    private Venue aVenue(boolean endSuperseded) {
        Http.Response created =
                http().post(
                                "/admin/tenants",
                                Map.of(
                                        "name",
                                        "Reconnects " + SEQUENCE.incrementAndGet(),
                                        "time_zone",
                                        "UTC",
                                        "end_superseded_sessions",
                                        endSuperseded),
                                Fixtures.admin());
        assertEquals(201, created.status(), created.body());
        assertEquals(endSuperseded, created.json().get("end_superseded_sessions").asBoolean());
        Tenant tenant = new Tenant(created.json().get("id").asText(), "UTC");
        Location location = given().location(tenant);
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, tenant.id()).orElseThrow();
        long locationId = ids.decode(OpaqueIds.Kind.LOCATION, location.id()).orElseThrow();
        long nas =
                nasRegistry
                        .register(
                                tenantId,
                                locationId,
                                "192.0.2.7",
                                "reconnect-ap-" + location.id() + "-" + SEQUENCE.incrementAndGet(),
                                "s")
                        .orElseThrow()
                        .id();
        long other =
                nasRegistry
                        .register(
                                tenantId,
                                locationId,
                                "192.0.2.8",
                                "reconnect-ap-" + location.id() + "-" + SEQUENCE.incrementAndGet(),
                                "s")
                        .orElseThrow()
                        .id();
        Venue venue = new Venue(tenantId, locationId, nas, other, given().readKey(tenant));
        assertEquals(
                200,
                http().get("/events", venue.key().auth())
                        .status()); // someone reads the log: it is on
        return venue;
    }

    private static AccountingEvent event(
            Venue at,
            long nasId,
            String acctSessionId,
            AccountingEvent.Type type,
            Instant time,
            String mac,
            Long sessionTime) {
        return new AccountingEvent(
                at.tenantId(),
                at.locationId(),
                nasId,
                acctSessionId,
                type,
                time,
                "guest",
                mac,
                null,
                0,
                0,
                sessionTime,
                type == STOP ? "User-Request" : null);
    }

    private static AccountingEvent start(Venue at, String acctSessionId, Instant time) {
        return event(at, at.nasId(), acctSessionId, START, time, PHONE, null);
    }

    /** Sessions oldest first, as start time and end time (null while open). */
    private List<String> sessions(Venue venue) {
        List<String> sessions = new ArrayList<>();
        http().get("/sessions?per_page=100", venue.key().auth())
                .json()
                .get("data")
                .forEach(
                        s ->
                                sessions.add(
                                        s.get("start_time").asText()
                                                + " - "
                                                + (s.get("end_time").isNull()
                                                        ? "open"
                                                        : s.get("end_time").asText())));
        return sessions;
    }

    private List<String> events(Venue venue) {
        sequencer.sequence();
        List<String> events = new ArrayList<>();
        for (JsonNode e :
                http().get("/events?per_page=1000", venue.key().auth()).json().get("data")) {
            events.add(e.get("type").asText() + " " + e.get("timestamp").asText());
        }
        return events;
    }

    @Nested
    @DisplayName("a Start supersedes the device's open session at the NAS")
    class Superseded {

        @Test
        void theOlderSessionEndsAtTheNewStartsTimeAndItsEndIsLogged() {
            Venue venue = aVenue(true);
            recorder.record(List.of(start(venue, "old", T0)));

            recorder.record(List.of(start(venue, "new", T0.plusSeconds(600))));

            assertEquals(
                    List.of(
                            "2026-11-30T09:00:00+00:00 - 2026-11-30T09:10:00+00:00",
                            "2026-11-30T09:10:00+00:00 - open"),
                    sessions(venue));
            assertEquals(
                    List.of(
                            "session.started 2026-11-30T09:00:00+00:00",
                            "session.started 2026-11-30T09:10:00+00:00",
                            "session.ended 2026-11-30T09:10:00+00:00"),
                    events(venue));
        }

        @Test
        void bothStartsInOneBatchEndTheFirstAtTheSecond() {
            Venue venue = aVenue(true);

            recorder.record(
                    List.of(start(venue, "new", T0.plusSeconds(600)), start(venue, "old", T0)));

            assertEquals(
                    List.of(
                            "2026-11-30T09:00:00+00:00 - 2026-11-30T09:10:00+00:00",
                            "2026-11-30T09:10:00+00:00 - open"),
                    sessions(venue));
        }

        @Test
        void aLateStopOfTheOlderSessionAddsItsCountersButNotItsLaterEnd() {
            Venue venue = aVenue(true);
            recorder.record(
                    List.of(start(venue, "old", T0), start(venue, "new", T0.plusSeconds(600))));

            recorder.record(
                    List.of(
                            new AccountingEvent(
                                    venue.tenantId(),
                                    venue.locationId(),
                                    venue.nasId(),
                                    "old",
                                    STOP,
                                    T0.plusSeconds(900),
                                    "guest",
                                    PHONE,
                                    null,
                                    10,
                                    20,
                                    900L,
                                    "Lost-Carrier")));

            JsonNode old =
                    http().get("/sessions?per_page=100", venue.key().auth())
                            .json()
                            .get("data")
                            .get(0);
            assertEquals("2026-11-30T09:10:00+00:00", old.get("end_time").asText());
            assertEquals(20, old.get("downloaded_bytes").asLong());
            assertEquals(
                    1, events(venue).stream().filter(e -> e.startsWith("session.ended")).count());
        }

        @Test
        void anotherDeviceAnotherNasOrALaterSessionIsNotEnded() {
            Venue venue = aVenue(true);
            recorder.record(
                    List.of(
                            event(
                                    venue,
                                    venue.nasId(),
                                    "laptop",
                                    START,
                                    T0,
                                    "02:00:00:00:00:01",
                                    null),
                            event(venue, venue.otherNasId(), "other-ap", START, T0, PHONE, null),
                            start(venue, "later", T0.plusSeconds(1200))));

            recorder.record(
                    List.of(start(venue, "late-start-of-an-older-one", T0.plusSeconds(60))));

            assertEquals(
                    List.of(
                            "2026-11-30T09:00:00+00:00 - open",
                            "2026-11-30T09:00:00+00:00 - open",
                            "2026-11-30T09:01:00+00:00 - open",
                            "2026-11-30T09:20:00+00:00 - open"),
                    sessions(venue));
        }

        @Test
        void aTenantThatTurnedTheRuleOffKeepsBothOpen() {
            Venue venue = aVenue(false);
            recorder.record(List.of(start(venue, "old", T0)));

            recorder.record(List.of(start(venue, "new", T0.plusSeconds(600))));

            assertEquals(
                    List.of("2026-11-30T09:00:00+00:00 - open", "2026-11-30T09:10:00+00:00 - open"),
                    sessions(venue));
        }
    }

    @Nested
    @DisplayName("an Acct-Session-Id used again after Accounting-On")
    class AfterAccountingOn {

        @Test
        void startsANewSessionInsteadOfReopeningTheClosedOne() {
            Venue venue = aVenue(true);
            recorder.record(List.of(start(venue, "00000001", T0)));
            recorder.record(
                    List.of(
                            event(
                                    venue,
                                    venue.nasId(),
                                    null,
                                    ACCOUNTING_ON,
                                    T0.plusSeconds(3600),
                                    null,
                                    null)));

            recorder.record(
                    List.of(
                            start(venue, "00000001", T0.plusSeconds(3700)),
                            event(
                                    venue,
                                    venue.nasId(),
                                    "00000001",
                                    INTERIM_UPDATE,
                                    T0.plusSeconds(4000),
                                    PHONE,
                                    300L)));

            assertEquals(
                    List.of(
                            "2026-11-30T09:00:00+00:00 - 2026-11-30T10:00:00+00:00",
                            "2026-11-30T10:01:40+00:00 - open"),
                    sessions(venue));
            assertEquals(
                    List.of(
                            "session.started 2026-11-30T09:00:00+00:00",
                            "session.ended 2026-11-30T10:00:00+00:00",
                            "session.started 2026-11-30T10:01:40+00:00"),
                    events(venue));
        }

        @Test
        void aLateStopFromBeforeTheRebootStillFindsTheOldSession() {
            Venue venue = aVenue(true);
            recorder.record(List.of(start(venue, "00000001", T0)));
            recorder.record(
                    List.of(
                            event(
                                    venue,
                                    venue.nasId(),
                                    null,
                                    ACCOUNTING_ON,
                                    T0.plusSeconds(3600),
                                    null,
                                    null)));
            recorder.record(List.of(start(venue, "00000001", T0.plusSeconds(3700))));

            recorder.record(
                    List.of(
                            event(
                                    venue,
                                    venue.nasId(),
                                    "00000001",
                                    STOP,
                                    T0.plusSeconds(3500),
                                    PHONE,
                                    3500L)));

            assertEquals(
                    List.of(
                            "2026-11-30T09:00:00+00:00 - 2026-11-30T10:00:00+00:00",
                            "2026-11-30T10:01:40+00:00 - open"),
                    sessions(venue));
        }
    }
}
