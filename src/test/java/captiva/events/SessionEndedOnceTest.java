package captiva.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.sessions.StaleSessionReaper;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A session is ended once in the log, however many writers close it at once: here a Stop that
 * arrives while the stale-session reaper's transaction, which closed the same session, is still
 * open. The Stop waits on the session row and goes on after the reaper commits, with a snapshot
 * taken before that commit.
 */
@MicronautTest(transactional = false)
@DisplayName("session.ended is logged once")
class SessionEndedOnceTest extends ApiTest {

    @Inject StaleSessionReaper reaper;

    @Inject EventSequencer sequencer;

    @Inject TransactionOperations<Connection> transactions;

    @Test
    void aStopWaitingBehindTheReapersCloseLogsNoSecondEnd() throws Exception {
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
                                        "192.0.2.9",
                                        "identifier",
                                        "ended-once-" + System.nanoTime(),
                                        "secret",
                                        "x"),
                                Fixtures.admin())
                        .json()
                        .get("id")
                        .asText();
        Key ingest = given().key(location.tenant(), List.of("ingest"), null, 100_000);
        Key read = given().readKey(location.tenant());
        assertEquals(200, http().get("/events", read.auth()).status()); // the log is on
        Instant started =
                Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
        assertEquals(
                200,
                http().post(
                                "/ingest/accounting",
                                List.of(record(nasId, "Start", started)),
                                ingest.auth())
                        .status());

        CompletableFuture<Http.Response> stop = new CompletableFuture<>();
        transactions.executeWrite(
                status -> {
                    assertTrue(reaper.reap() >= 1, "the silent session is stale");
                    CompletableFuture.runAsync(
                            () ->
                                    stop.complete(
                                            http().post(
                                                            "/ingest/accounting",
                                                            List.of(
                                                                    record(
                                                                            nasId,
                                                                            "Stop",
                                                                            started.plusSeconds(
                                                                                    600))),
                                                            ingest.auth())));
                    await().atMost(Duration.ofSeconds(30))
                            .until(SessionEndedOnceTest::aWriterWaitsOnARowLock);
                    return null; // the reaper's close commits; the Stop goes on
                });

        assertEquals(200, stop.get(30, TimeUnit.SECONDS).status());
        sequencer.sequence();
        List<String> types = new ArrayList<>();
        http().get("/events?per_page=100", read.auth())
                .json()
                .get("data")
                .forEach(e -> types.add(e.get("type").asText()));
        assertEquals(List.of("session.started", "session.ended"), types);
    }

    private static Map<String, Object> record(String nasId, String type, Instant eventTime) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("nas_id", nasId);
        record.put("acct_status_type", type);
        record.put("acct_session_id", "ended-once");
        record.put("event_time", eventTime.toString());
        return record;
    }

    /** Whether a transaction waits for another's row lock (the Stop behind the reaper). */
    private static boolean aWriterWaitsOnARowLock() throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                TestDatabase.isCitus() // the wait is on a worker, seen there
                                        ? "SELECT count(*) FROM citus_lock_waits"
                                        : "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
