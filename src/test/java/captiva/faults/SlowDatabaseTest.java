package captiva.faults;

import static captiva.faults.FaultChecks.assertServiceUnavailableProblem;
import static captiva.faults.FaultChecks.awaitUntil;
import static captiva.faults.FaultChecks.dropped;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's "slow database": every chunk between the service and PostgreSQL is delayed by 100-300
 * ms. The RADIUS queue stays within its capacity (the excess is dropped unanswered, counted, and
 * retransmitted by the NAS), HTTP requests beyond what the small pool can serve get a 503 problem
 * once the connection timeout is over instead of piling up, the service stays up, and once the
 * latency goes away everything is acknowledged and stored exactly once. Checks are on states and
 * counts; the only time bound is a generous one on how long an HTTP answer may take.
 */
@DisplayName("slow PostgreSQL")
class SlowDatabaseTest {

    private static final byte[] SECRET = "slow-secret".getBytes(StandardCharsets.UTF_8);
    private static final int SESSIONS = 1_000;
    private static final int QUEUE_CAPACITY = 200;

    /**
     * More packets in flight than the queue holds: with a slow writer, the excess must be dropped.
     */
    private static final int WINDOW = 512;

    private static final int CONCURRENT_REQUESTS = 24;

    /**
     * Far above the connection timeout plus a few slow queries; a request that piles up would take
     * longer.
     */
    private static final Duration GENEROUS_ANSWER_BOUND = Duration.ofSeconds(25);

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void queuesStayBoundedRequestsFailFastAndEverythingAcknowledgedIsStoredOnceItIsFastAgain()
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_REQUESTS + 1);
        try (TcpProxy database = TcpProxy.inFrontOfTestDatabase();
                EmbeddedServer server = Instances.start(slowSetup(database))) {
            Http http = Instances.http(server);
            Fixtures given = new Fixtures(http);
            Location venue = given.location(given.tenant("UTC"));
            Key readKey = given.readKey(venue.tenant());
            String nasIdentifier = "slow-" + run;
            given.nas(
                    venue, "127.0.0.1", nasIdentifier, new String(SECRET, StandardCharsets.UTF_8));
            AccountingTraffic traffic =
                    AccountingTraffic.encode(
                            "slow-" + run + "-", SESSIONS, 1, true, 50, nasIdentifier, SECRET);
            RadiusListener listener = server.getApplicationContext().getBean(RadiusListener.class);
            AccountingLoad load =
                    new AccountingLoad(
                            new AccountingLoad.Settings(
                                    new InetSocketAddress("127.0.0.1", listener.port()),
                                    InetAddress.getByName("127.0.0.1"),
                                    WINDOW,
                                    Duration.ofSeconds(1),
                                    150,
                                    Duration.ofSeconds(170)),
                            traffic);
            MeterRegistry meters = server.getApplicationContext().getBean(MeterRegistry.class);

            database.slow(Duration.ofMillis(100), Duration.ofMillis(300));
            AtomicInteger deepestQueue = new AtomicInteger();
            AtomicBoolean slowPhase = new AtomicBoolean(true);
            Future<?> watchingQueue =
                    clients.submit(
                            () -> {
                                while (slowPhase.get()) {
                                    deepestQueue.accumulateAndGet(listener.queued(), Math::max);
                                    Thread.sleep(1);
                                }
                                return null;
                            });
            Future<AccountingLoad.Result> running = clients.submit(() -> load.run());
            awaitUntil(() -> dropped(meters, "queue_full") > 0, "a full queue to drop packets");

            List<Future<TimedResponse>> requests = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_REQUESTS; i++) {
                requests.add(
                        clients.submit(
                                () ->
                                        TimedResponse.of(
                                                () -> http.get("/sessions", readKey.auth()))));
            }
            List<TimedResponse> answers = new ArrayList<>();
            for (Future<TimedResponse> request : requests) {
                answers.add(request.get(2, TimeUnit.MINUTES));
            }
            assertEquals(200, http.get("/health/liveness").status());
            slowPhase.set(false);
            watchingQueue.get(1, TimeUnit.MINUTES);
            int acknowledgedWhileSlow = load.acknowledgedSoFar();
            database.fast();
            AccountingLoad.Result result = running.get(3, TimeUnit.MINUTES);

            long unavailable = answers.stream().filter(a -> a.response().status() == 503).count();
            Duration slowest =
                    answers.stream()
                            .map(TimedResponse::took)
                            .max(Duration::compareTo)
                            .orElseThrow();
            System.out.println(
                    "slow database test: deepest queue "
                            + deepestQueue.get()
                            + " of "
                            + QUEUE_CAPACITY
                            + ", dropped as queue full "
                            + (long) dropped(meters, "queue_full")
                            + ", acknowledged while slow "
                            + acknowledgedWhileSlow
                            + ", HTTP answers "
                            + answers.stream().map(a -> a.response().status()).toList()
                            + ", slowest "
                            + slowest.toMillis()
                            + " ms, retransmits "
                            + result.retransmits());
            assertTrue(deepestQueue.get() <= QUEUE_CAPACITY, "queue grew to " + deepestQueue.get());
            for (TimedResponse answer : answers) {
                if (answer.response().status() != 200) {
                    assertServiceUnavailableProblem(answer.response());
                }
                assertTrue(
                        answer.took().compareTo(GENEROUS_ANSWER_BOUND) < 0,
                        "an answer took " + answer.took());
            }
            assertTrue(
                    unavailable > 0,
                    "no request was turned away: they all waited for the pool (is the connection timeout long?)");
            assertEquals(
                    traffic.packets().size(),
                    result.count(Fate.ACKNOWLEDGED),
                    "not every packet was acknowledged: "
                            + result.count(Fate.GAVE_UP)
                            + " given up, "
                            + result.count(Fate.ABANDONED)
                            + " abandoned");
            assertEquals(200, http.get("/sessions", readKey.auth()).status());
            try (Connection direct = TestDatabase.connect()) {
                Outcome outcome =
                        AcknowledgedCheck.compare(
                                traffic,
                                result::acknowledged,
                                AcknowledgedCheck.read(
                                        direct,
                                        AcknowledgedCheck.nasId(direct, nasIdentifier),
                                        traffic.sessionPrefix()));
                assertEquals(SESSIONS, outcome.storedSessions(), outcome.summary());
                assertTrue(outcome.exactlyAcknowledged(), outcome.summary());
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** A small pool and queue, so that a few slow round trips saturate them. */
    private static Map<String, Object> slowSetup(TcpProxy database) {
        Map<String, Object> properties = new HashMap<>(database.datasourceProperties());
        properties.put("datasources.default.maximum-pool-size", "3");
        // Below the 5 s default, so that the 503s come quickly and no answer nears the generous
        // bound.
        properties.put("datasources.default.connection-timeout", "2000");
        properties.put("captiva.radius.queue-capacity", Integer.toString(QUEUE_CAPACITY));
        properties.put("captiva.radius.batch-size", "50");
        return properties;
    }

    private record TimedResponse(Http.Response response, Duration took) {
        static TimedResponse of(Supplier<Http.Response> request) {
            long started = System.nanoTime();
            Http.Response response = request.get();
            return new TimedResponse(response, Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
