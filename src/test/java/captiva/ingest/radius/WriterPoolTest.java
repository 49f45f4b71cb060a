package captiva.ingest.radius;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.IngestPressure;
import captiva.ingest.radius.RadiusParts.RecordingChannel;
import captiva.ingest.radius.RadiusParts.RecordingJudge;
import captiva.sessions.AccountingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The writer pool alone, over a batch store whose transaction is a stand-in that logs what it
 * commits.
 */
@TestInstance(TestInstance.Lifecycle.PER_METHOD) // fresh stand-ins for every test
@DisplayName("RADIUS writer pool")
class WriterPoolTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RecordingChannel channel = new RecordingChannel();

    /**
     * Every committed event's session id (ON for an Accounting-On), in commit order across writers.
     */
    private final List<String> committed = Collections.synchronizedList(new ArrayList<>());

    private WriterPool pool;

    private WriterPool pool(
            int writers,
            int queueCapacity,
            int batchSize,
            Consumer<List<AccountingEvent>> transaction) {
        PacketMetrics metrics = new PacketMetrics(meters, System::nanoTime);
        BatchStore store =
                new BatchStore(
                        transaction,
                        new RecordingJudge(),
                        metrics,
                        meters,
                        System::nanoTime,
                        writers);
        pool =
                new WriterPool(
                        store,
                        metrics,
                        meters,
                        System::nanoTime,
                        new IngestPressure(System::nanoTime),
                        writers,
                        queueCapacity,
                        batchSize);
        return pool;
    }

    private void commit(List<AccountingEvent> events) {
        events.forEach(e -> committed.add(e.type().isNasWide() ? "ON" : e.acctSessionId()));
    }

    private QueuedPacket queued(PendingPacket packet) {
        return new QueuedPacket(packet, channel);
    }

    @AfterEach
    void drained() throws InterruptedException {
        if (pool != null) {
            pool.drain(Duration.ofSeconds(5));
        }
    }

    @Test
    void eachSessionsPacketsAreCommittedInTheOrderReceived() {
        WriterPool pool = pool(4, 1000, 3, this::commit);
        pool.start();

        for (int round = 0; round < 10; round++) {
            for (int session = 0; session < 8; session++) {
                assertTrue(
                        pool.submit(
                                queued(
                                        RadiusParts.packet(
                                                round == 0
                                                        ? AccountingEvent.Type.START
                                                        : AccountingEvent.Type.INTERIM_UPDATE,
                                                "session-" + session))));
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> committed.size() == 80);
        for (int session = 0; session < 8; session++) {
            String id = "session-" + session;
            assertEquals(10, committed.stream().filter(id::equals).count());
        }
        assertEquals(80, channel.answers.size());
    }

    @Test
    void anAccountingOnIsCommittedAfterEverythingBeforeItAndBeforeEverythingAfter() {
        WriterPool pool = pool(4, 1000, 5, this::commit);
        List<QueuedPacket> before = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            before.add(queued(RadiusParts.start("before-" + i)));
        }
        before.forEach(pool::submit);
        pool.submit(queued(RadiusParts.packet(AccountingEvent.Type.ACCOUNTING_ON, "on")));
        for (int i = 0; i < 40; i++) {
            pool.submit(queued(RadiusParts.start("after-" + i)));
        }

        pool.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> committed.size() == 81);
        int on = committed.indexOf("ON");
        assertEquals(
                40,
                on,
                "the Accounting-On must see the 40 packets before it and none after: " + committed);
        assertTrue(committed.subList(0, on).stream().allMatch(id -> id.startsWith("before-")));
    }

    @Test
    void aFullQueueRefusesAPacketAndAnAccountingOnNeedsRoomInEveryQueue() {
        WriterPool pool = pool(2, 2, 1, this::commit); // not started: what is queued stays queued
        String[] ids = {"a", "b", "c", "d", "e", "f", "g", "h"};
        int accepted = 0;
        for (String id : ids) {
            if (pool.submit(queued(RadiusParts.start(id)))) {
                accepted++;
            }
        }

        assertEquals(2, accepted, "one packet per writer's queue of one");
        assertFalse(
                pool.submit(queued(RadiusParts.packet(AccountingEvent.Type.ACCOUNTING_ON, "on"))));
        assertEquals(2, pool.queued(), "a refused Accounting-On is queued nowhere");
    }

    @Test
    void drainingStoresAndAnswersEverythingQueued() throws InterruptedException {
        WriterPool pool = pool(2, 1000, 4, this::commit);
        for (int i = 0; i < 30; i++) {
            pool.submit(queued(RadiusParts.start("s-" + i)));
        }
        pool.start();

        pool.drain(Duration.ofSeconds(10));

        assertEquals(30, committed.size());
        assertEquals(30, channel.answers.size());
        assertEquals(0, pool.queued());
    }
}
