package captiva.sessions;

import static captiva.sessions.AccountingEvent.Type.INTERIM_UPDATE;
import static captiva.sessions.AccountingEvent.Type.START;
import static captiva.sessions.AccountingEvent.Type.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.common.OpaqueIds;
import captiva.tenancy.NasRegistry;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("SessionRecorder: accounting applied in any order, any number of times")
class SessionRecorderTest extends ApiTest {

    private static final Instant T0 = Instant.parse("2024-06-01T12:00:00Z");

    @Inject SessionRecorder recorder;
    @Inject NasRegistry nasRegistry;
    @Inject OpaqueIds ids;

    private long tenantId;
    private long locationId;
    private long nasId;
    private Key key;

    @BeforeEach
    void aVenueWithANas() {
        Location location = given().location(given().tenant());
        tenantId = decode(OpaqueIds.Kind.TENANT, location.tenant().id());
        locationId = decode(OpaqueIds.Kind.LOCATION, location.id());
        nasId =
                nasRegistry
                        .register(
                                tenantId, locationId, "127.0.0.1", "ap-" + location.id(), "secret")
                        .orElseThrow()
                        .id();
        key = given().readKey(location.tenant());
    }

    private long decode(OpaqueIds.Kind kind, String id) {
        OptionalLong decoded = ids.decode(kind, id);
        return decoded.orElseThrow();
    }

    private AccountingEvent event(
            AccountingEvent.Type type, int secondsAfterStart, long in, long out) {
        return new AccountingEvent(
                tenantId,
                locationId,
                nasId,
                "acct-1",
                type,
                T0.plusSeconds(secondsAfterStart),
                "guest1",
                "14:2d:27:e7:40:2b",
                "10.0.0.9",
                in,
                out,
                type == START ? null : (long) secondsAfterStart,
                type == STOP ? "User-Request" : null);
    }

    private List<JsonNode> sessions() {
        Http.Response r = http().get("/sessions", key.auth());
        List<JsonNode> list = new java.util.ArrayList<>();
        r.json().get("data").forEach(list::add);
        return list;
    }

    @Test
    void startInterimStopMakesOneClosedSession() {
        recorder.record(List.of(event(START, 0, 0, 0)));
        recorder.record(List.of(event(INTERIM_UPDATE, 300, 1000, 2000)));
        recorder.record(List.of(event(STOP, 600, 1500, 3000)));

        List<JsonNode> sessions = sessions();
        assertEquals(1, sessions.size());
        JsonNode s = sessions.get(0);
        assertEquals("2024-06-01T12:00:00+00:00", s.get("start_time").asText());
        assertEquals("2024-06-01T12:10:00+00:00", s.get("end_time").asText());
        assertEquals(3000, s.get("downloaded_bytes").asLong());
        assertEquals(1500, s.get("uploaded_bytes").asLong());
        assertEquals("10.0.0.9", s.get("guest_device_ip").asText());
    }

    @Test
    void retransmittedEventsAreAppliedOnce() {
        recorder.record(List.of(event(START, 0, 0, 0), event(START, 0, 0, 0)));
        recorder.record(List.of(event(STOP, 600, 1500, 3000)));
        recorder.record(List.of(event(STOP, 600, 1500, 3000)));

        assertEquals(1, sessions().size());
        assertEquals(3000, sessions().get(0).get("downloaded_bytes").asLong());
    }

    @Test
    void interimWithoutStartCreatesTheSessionCountingBack() {
        recorder.record(List.of(event(INTERIM_UPDATE, 300, 10, 20)));

        JsonNode s = sessions().get(0);
        assertEquals("2024-06-01T12:00:00+00:00", s.get("start_time").asText());
        assertEquals(true, s.get("end_time").isNull());
    }

    @Test
    void stopWithoutStartCreatesAClosedSession() {
        recorder.record(List.of(event(STOP, 600, 10, 20)));

        JsonNode s = sessions().get(0);
        assertEquals("2024-06-01T12:00:00+00:00", s.get("start_time").asText());
        assertEquals("2024-06-01T12:10:00+00:00", s.get("end_time").asText());
    }

    @Test
    void lateInterimNeverReopensNorRollsBackCounters() {
        recorder.record(List.of(event(START, 0, 0, 0), event(STOP, 600, 1500, 3000)));

        recorder.record(List.of(event(INTERIM_UPDATE, 300, 1000, 2000)));

        JsonNode s = sessions().get(0);
        assertEquals("2024-06-01T12:10:00+00:00", s.get("end_time").asText());
        assertEquals(3000, s.get("downloaded_bytes").asLong());
        assertEquals("Offline", s.get("connection_status").asText());
    }

    @Test
    void startArrivingAfterStopKeepsTheSessionClosed() {
        recorder.record(List.of(event(STOP, 600, 1500, 3000)));

        recorder.record(List.of(event(START, 0, 0, 0)));

        assertEquals(1, sessions().size());
        assertEquals("2024-06-01T12:10:00+00:00", sessions().get(0).get("end_time").asText());
    }

    private AccountingEvent nasWide(AccountingEvent.Type type, int secondsAfterT0) {
        return new AccountingEvent(
                tenantId,
                locationId,
                nasId,
                null,
                type,
                T0.plusSeconds(secondsAfterT0),
                null,
                null,
                null,
                0,
                0,
                null,
                null);
    }

    private AccountingEvent start(String acctSessionId, int secondsAfterT0) {
        return new AccountingEvent(
                tenantId,
                locationId,
                nasId,
                acctSessionId,
                START,
                T0.plusSeconds(secondsAfterT0),
                "guest-" + acctSessionId,
                null,
                null,
                0,
                0,
                null,
                null);
    }

    @Test
    void accountingOnClosesEveryOpenSessionOfTheNasAtTheEventTime() {
        recorder.record(
                List.of(
                        start("a", 10),
                        start("b", 60),
                        event(START, 0, 0, 0),
                        event(STOP, 30, 1, 1)));

        recorder.record(List.of(nasWide(AccountingEvent.Type.ACCOUNTING_ON, 600)));

        List<JsonNode> sessions = sessions();
        assertEquals(3, sessions.size());
        assertEquals(
                "2024-06-01T12:00:30+00:00",
                sessions.get(0).get("end_time").asText(),
                "stopped before stays as it was");
        assertEquals("2024-06-01T12:10:00+00:00", sessions.get(1).get("end_time").asText());
        assertEquals("2024-06-01T12:10:00+00:00", sessions.get(2).get("end_time").asText());
    }

    @Test
    void accountingOffInTheMiddleOfABatchSplitsBeforeFromAfter() {
        recorder.record(
                List.of(
                        start("before", 0),
                        nasWide(AccountingEvent.Type.ACCOUNTING_OFF, 300),
                        start("after", 400)));

        List<JsonNode> sessions = sessions();
        assertEquals("2024-06-01T12:05:00+00:00", sessions.get(0).get("end_time").asText());
        assertEquals(true, sessions.get(1).get("end_time").isNull());
    }

    @Test
    void accountingOnLeavesOtherNasAlone() {
        long otherNas =
                nasRegistry
                        .register(tenantId, locationId, "127.0.0.2", "other-" + nasId, "s")
                        .orElseThrow()
                        .id();
        recorder.record(
                List.of(
                        new AccountingEvent(
                                tenantId,
                                locationId,
                                otherNas,
                                "x",
                                START,
                                T0,
                                "g",
                                null,
                                null,
                                0,
                                0,
                                null,
                                null)));

        recorder.record(List.of(nasWide(AccountingEvent.Type.ACCOUNTING_ON, 600)));

        assertEquals(true, sessions().get(0).get("end_time").isNull());
    }

    @Test
    void aSessionStartedJustNowIsOnline() {
        Instant now = Instant.now();
        recorder.record(
                List.of(
                        new AccountingEvent(
                                tenantId,
                                locationId,
                                nasId,
                                "live-1",
                                START,
                                now,
                                "guest1",
                                null,
                                "10.0.0.10",
                                0,
                                0,
                                null,
                                null)));

        assertEquals(
                1,
                http().get("/sessions/count?online=true", key.auth()).json().get("count").asLong());
    }
}
