package captiva.faults;

import static captiva.faults.FaultChecks.assertServiceUnavailableProblem;
import static captiva.faults.FaultChecks.awaitUntil;
import static captiva.faults.FaultChecks.dropped;
import static captiva.faults.FaultChecks.settled;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.ingest.radius.RadiusListener;
import captiva.ingest.radius.load.AccountingLoad;
import captiva.ingest.radius.load.AccountingLoad.Fate;
import captiva.ingest.radius.load.AccountingTraffic;
import captiva.ingest.radius.load.AcknowledgedCheck;
import captiva.ingest.radius.load.AcknowledgedCheck.Outcome;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.Instances;
import captiva.testing.TcpProxy;
import captiva.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's "PostgreSQL stops in the middle of a load and comes back", with the database behind a
 * {@link TcpProxy} that resets every connection and refuses new ones. While it is down, no
 * Accounting-Response goes out (so the NAS keeps retransmitting), and the API and readiness answer
 * 503 problems. Once it is back, everything resumes without help, and the database holds exactly
 * what was acknowledged: nothing lost, nothing applied twice.
 */
@DisplayName("PostgreSQL down in the middle of a load, then back")
class DatabaseOutageTest {

    private static final byte[] SECRET = "outage-secret".getBytes(StandardCharsets.UTF_8);
    private static final int SESSIONS = 2_000;

    /** The outage starts once this many of the 6,000 packets were acknowledged. */
    private static final int DOWN_AFTER_ACKNOWLEDGED = 1_000;

    /**
     * Long enough for several retransmits of every packet in flight and several failed
     * transactions.
     */
    private static final Duration QUIET = Duration.ofSeconds(2);

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void ingestionAndApiStopWhileTheDatabaseIsDownAndResumeOnTheirOwnWithNothingLostOrDoubled()
            throws Exception {
        ExecutorService nas = Executors.newSingleThreadExecutor();
        try (TcpProxy database = TcpProxy.inFrontOfTestDatabase();
                EmbeddedServer server = Instances.start(database.datasourceProperties())) {
            Http http = Instances.http(server);
            Fixtures given = new Fixtures(http);
            Location venue = given.location(given.tenant("UTC"));
            Key readKey = given.readKey(venue.tenant());
            Key ingestKey = given.key(venue.tenant(), List.of("ingest"), null, 100_000);
            String nasIdentifier = "outage-" + run;
            String nasId =
                    given.nas(
                            venue,
                            "127.0.0.1",
                            nasIdentifier,
                            new String(SECRET, StandardCharsets.UTF_8));
            AccountingTraffic traffic =
                    AccountingTraffic.encode(
                            "outage-" + run + "-", SESSIONS, 1, true, 50, nasIdentifier, SECRET);
            // A NAS that keeps retransmitting for a minute: long enough to outlive the outage.
            AccountingLoad load =
                    new AccountingLoad(
                            new AccountingLoad.Settings(
                                    new InetSocketAddress(
                                            "127.0.0.1",
                                            server.getApplicationContext()
                                                    .getBean(RadiusListener.class)
                                                    .port()),
                                    InetAddress.getByName("127.0.0.1"),
                                    64,
                                    Duration.ofMillis(250),
                                    240,
                                    Duration.ofSeconds(120)),
                            traffic);
            MeterRegistry meters = server.getApplicationContext().getBean(MeterRegistry.class);

            Future<AccountingLoad.Result> running = nas.submit(() -> load.run());
            awaitUntil(
                    () -> load.acknowledgedSoFar() >= DOWN_AFTER_ACKNOWLEDGED || running.isDone(),
                    "the load to get going");

            database.goDown();
            awaitUntil(() -> dropped(meters, "not_stored") > 0, "a transaction to fail");
            int acknowledgedWhenDown = settled(load::acknowledgedSoFar);
            double storedWhenDown = stored(meters);
            double failuresWhenDown = dropped(meters, "not_stored");
            // Nothing may be answered or stored during a quiet spell of the outage, not only at its
            // end.
            await("no answer and nothing stored while the database is down")
                    .during(QUIET)
                    .atMost(QUIET.plusSeconds(10))
                    .until(
                            () ->
                                    load.acknowledgedSoFar() == acknowledgedWhenDown
                                            && stored(meters) == storedWhenDown);

            assertEquals(
                    acknowledgedWhenDown,
                    load.acknowledgedSoFar(),
                    "answers went out while the database was down");
            assertEquals(
                    storedWhenDown,
                    stored(meters),
                    "packets counted stored while the database was down");
            assertTrue(
                    acknowledgedWhenDown < traffic.packets().size(),
                    "the load ended before the outage");
            assertServiceUnavailableProblem(http.get("/sessions", readKey.auth()));
            assertServiceUnavailableProblem(
                    http.post(
                            "/ingest/accounting",
                            List.of(
                                    Map.of(
                                            "nas_id",
                                            nasId,
                                            "acct_status_type",
                                            "Start",
                                            "acct_session_id",
                                            "outage-http-" + run)),
                            ingestKey.auth()));
            assertEquals(503, http.get("/health/readiness").status());
            assertEquals(200, http.get("/health/liveness").status());
            awaitUntil(
                    () -> dropped(meters, "not_stored") > failuresWhenDown,
                    "the writer to try again");
            assertEquals(
                    acknowledgedWhenDown,
                    load.acknowledgedSoFar(),
                    "answers went out while the database was down");

            database.comeBack();
            AccountingLoad.Result result = running.get(120, TimeUnit.SECONDS);

            assertEquals(
                    traffic.packets().size(),
                    result.count(Fate.ACKNOWLEDGED),
                    "acks did not resume for every packet: "
                            + result.count(Fate.GAVE_UP)
                            + " given up, "
                            + result.count(Fate.ABANDONED)
                            + " abandoned");
            assertEquals(0, result.forgedAnswers());
            assertEquals(200, http.get("/sessions", readKey.auth()).status());
            assertEquals(200, http.get("/health/readiness").status());
            assertEquals(
                    200,
                    http.post(
                                    "/ingest/accounting",
                                    List.of(
                                            Map.of(
                                                    "nas_id",
                                                    nasId,
                                                    "acct_status_type",
                                                    "Start",
                                                    "acct_session_id",
                                                    "outage-http-" + run)),
                                    ingestKey.auth())
                            .status());
            try (Connection direct = TestDatabase.connect()) {
                long nasRow = AcknowledgedCheck.nasId(direct, nasIdentifier);
                Outcome outcome =
                        AcknowledgedCheck.compare(
                                traffic,
                                result::acknowledged,
                                AcknowledgedCheck.read(direct, nasRow, traffic.sessionPrefix()));
                System.out.println(
                        "outage test: acknowledged before the outage "
                                + acknowledgedWhenDown
                                + " of "
                                + traffic.packets().size()
                                + ", retransmits "
                                + result.retransmits()
                                + ", transactions failed "
                                + (long) dropped(meters, "not_stored")
                                + " packets; "
                                + outcome.summary());
                assertEquals(SESSIONS, outcome.storedSessions(), outcome.summary());
                assertTrue(outcome.exactlyAcknowledged(), outcome.summary());
            }
        } finally {
            nas.shutdownNow();
        }
    }

    private static double stored(MeterRegistry meters) {
        return meters.find("captiva.radius.packets").tags("outcome", "stored").counter().count();
    }
}
