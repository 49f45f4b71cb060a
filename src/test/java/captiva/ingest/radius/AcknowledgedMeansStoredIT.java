package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.ingest.radius.load.AccountingLoad;
import captiva.ingest.radius.load.AccountingLoad.Fate;
import captiva.ingest.radius.load.AccountingTraffic;
import captiva.ingest.radius.load.AccountingTraffic.Packet;
import captiva.ingest.radius.load.AcknowledgedCheck;
import captiva.ingest.radius.load.AcknowledgedCheck.Outcome;
import captiva.ingest.radius.load.AcknowledgedCheck.StoredSession;
import captiva.testing.Fixtures;
import captiva.testing.Http;
import captiva.testing.PackagedJar;
import captiva.testing.TestDatabase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 3's "acknowledged means stored", proven the hard way: the packaged service is killed with
 * SIGKILL in the middle of a load, so nothing gets to drain; it is started again on the same ports
 * and database, and every packet it had acknowledged must be found in PostgreSQL. The load sends a
 * Start and an Interim-Update (with counters) for each of many sessions, like a NAS: bounded
 * window, retransmits with the same bytes, a bounded number of tries.
 */
@DisplayName("acknowledged means stored, across a kill -9 mid-load")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AcknowledgedMeansStoredIT {

    private static final byte[] SECRET = "kill-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final int SESSIONS = 20_000;

    /**
     * Killed once this many packets (a tenth of the traffic) were acknowledged: well inside the
     * load.
     */
    private static final int KILL_AFTER_ACKNOWLEDGED = 4_000;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String nasIdentifier = "kill-test-" + run;
    private Map<String, String> environment;
    private AccountingTraffic traffic;
    private AccountingLoad.Settings settings;
    private AccountingLoad.Result beforeKill;
    private int acknowledgedWhenKilled;
    private PackagedJar restarted;
    private Connection database;
    private long nasId;

    @BeforeAll
    void loadKillAndRestart() throws Exception {
        Map<String, String> db = TestDatabase.properties();
        environment = PackagedJar.onTestDatabase();
        PackagedJar first = PackagedJar.startOnFreePorts(environment, Duration.ofSeconds(90));
        try {
            registerNas(new Http("http://127.0.0.1:" + first.port(PackagedJar.HTTP_PORT)));
            // Registered by NAS-Identifier, so other tests' NAS at 127.0.0.1 cannot collide with
            // it.
            traffic =
                    AccountingTraffic.encode(
                            "kill-" + run + "-", SESSIONS, 1, false, 2_000, nasIdentifier, SECRET);
            settings =
                    new AccountingLoad.Settings(
                            new InetSocketAddress("127.0.0.1", first.port(PackagedJar.RADIUS_PORT)),
                            InetAddress.getByName("127.0.0.1"),
                            256,
                            Duration.ofMillis(300),
                            5,
                            Duration.ofSeconds(40));
            AccountingLoad load = new AccountingLoad(settings, traffic);
            ExecutorService sender = Executors.newSingleThreadExecutor();
            Future<AccountingLoad.Result> running = sender.submit(() -> load.run());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (load.acknowledgedSoFar() < KILL_AFTER_ACKNOWLEDGED
                    && !running.isDone()
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            first.kill();
            acknowledgedWhenKilled = load.acknowledgedSoFar();
            // What was in flight is retried against the dead port until given up; nothing new is
            // sent.
            load.stopSendingNew();
            beforeKill = running.get(60, TimeUnit.SECONDS);
            sender.shutdown();
        } finally {
            first.kill();
        }
        restarted = PackagedJar.startOnFreePorts(environment, Duration.ofSeconds(90));
        database =
                DriverManager.getConnection(
                        db.get("datasources.default.url"),
                        db.get("datasources.default.username"),
                        db.get("datasources.default.password"));
        nasId = AcknowledgedCheck.nasId(database, nasIdentifier);
    }

    /**
     * The NAS is known by its identifier: other tests may register 127.0.0.1 on the shared
     * database.
     */
    private void registerNas(Http http) {
        Fixtures given = new Fixtures(http);
        given.nas(
                given.location(given.tenant("UTC")),
                "127.0.0.1",
                nasIdentifier,
                new String(SECRET, StandardCharsets.UTF_8));
    }

    @AfterAll
    void stop() throws SQLException {
        if (restarted != null) {
            restarted.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private Map<String, StoredSession> stored() throws SQLException {
        return AcknowledgedCheck.read(database, nasId, traffic.sessionPrefix());
    }

    private String figures() {
        return "acknowledged when killed "
                + acknowledgedWhenKilled
                + ", acknowledged by the first process "
                + beforeKill.count(Fate.ACKNOWLEDGED)
                + ", given up "
                + beforeKill.count(Fate.GAVE_UP)
                + ", never sent "
                + beforeKill.count(Fate.NOT_SENT)
                + ", abandoned "
                + beforeKill.count(Fate.ABANDONED)
                + ", retransmits "
                + beforeKill.retransmits()
                + ", repeated answers "
                + beforeKill.repeatedAnswers()
                + ", late answers "
                + beforeKill.lateAnswers()
                + " of "
                + traffic.packets().size()
                + " packets";
    }

    @Test
    @Order(1)
    void theKillLandedWhilePacketsWereInFlight() {
        System.out.println("kill test: " + figures());
        assertTrue(beforeKill.count(Fate.ACKNOWLEDGED) >= KILL_AFTER_ACKNOWLEDGED, figures());
        // Sent to the first process and never answered by it: the kill cut through live traffic.
        assertTrue(beforeKill.count(Fate.GAVE_UP) > 0, figures());
        assertTrue(
                beforeKill.count(Fate.NOT_SENT) > 0,
                "the load ran out before the kill: " + figures());
        assertEquals(0, beforeKill.forgedAnswers(), figures());
    }

    @Test
    @Order(2)
    void everyPacketAcknowledgedBeforeTheKillIsInTheDatabaseAfterTheRestart() throws SQLException {
        Outcome outcome = AcknowledgedCheck.compare(traffic, beforeKill::acknowledged, stored());

        System.out.println("kill test after restart: " + outcome.summary());
        assertTrue(outcome.lost().isEmpty(), outcome.summary());
        assertEquals(
                beforeKill.acknowledgedPackets().stream().map(Packet::session).distinct().count(),
                outcome.acknowledgedSessions());
    }

    @Test
    @Order(3)
    void noSessionIsStoredTwice() throws SQLException {
        Outcome outcome = AcknowledgedCheck.compare(traffic, beforeKill::acknowledged, stored());

        assertTrue(outcome.duplicated().isEmpty(), outcome.summary());
    }

    @Test
    @Order(4)
    void resendingWhatWasNeverAcknowledgedLeavesExactlyOneSessionPerAcctSessionId()
            throws SQLException {
        // Up to 36,000 packets: a bound for "all answered", not a speed (about 430 packets/s on
        // a Citus cluster sharing this machine's two cores, several times that on one PostgreSQL).
        AccountingLoad resend =
                new AccountingLoad(
                        settings.withTarget(
                                        new InetSocketAddress(
                                                "127.0.0.1",
                                                restarted.port(PackagedJar.RADIUS_PORT)))
                                .withWindow(64)
                                .withMaxDuration(Duration.ofSeconds(300)),
                        traffic);

        AccountingLoad.Result after = resend.run(beforeKill.unacknowledged());

        assertEquals(
                after.packets().size(),
                after.count(Fate.ACKNOWLEDGED),
                "resent packets left unanswered: "
                        + after.count(Fate.GAVE_UP)
                        + "\n"
                        + restarted.output());
        Map<String, StoredSession> stored = stored();
        Outcome outcome =
                AcknowledgedCheck.compare(
                        traffic, p -> beforeKill.acknowledged(p) || after.acknowledged(p), stored);
        System.out.println(
                "kill test after resending "
                        + after.packets().size()
                        + " packets: "
                        + outcome.summary());
        assertEquals(SESSIONS, stored.size(), outcome.summary());
        assertTrue(stored.values().stream().allMatch(s -> s.rows() == 1), outcome.summary());
        assertTrue(outcome.exactlyAcknowledged(), outcome.summary());
    }
}
