package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.ingest.radius.RadiusParts.RecordingChannel;
import captiva.ingest.radius.RadiusParts.RecordingJudge;
import captiva.sessions.AccountingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The batch store alone: a stand-in transaction, a hand-moved ticker, no database and no socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_METHOD) // fresh stand-ins for every test
@DisplayName("RADIUS batch store")
class BatchStoreTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();
    private final RecordingJudge judge = new RecordingJudge();
    private final RecordingChannel channel = new RecordingChannel();

    private BatchStore store(Consumer<List<AccountingEvent>> transaction) {
        return new BatchStore(
                transaction, judge, new PacketMetrics(meters, nanos::get), meters, nanos::get, 2);
    }

    private List<QueuedPacket> batch(int size) {
        return IntStream.range(0, size)
                .mapToObj(i -> new QueuedPacket(RadiusParts.start("s-" + i), channel))
                .toList();
    }

    private double dropped(String reason) {
        var counter =
                meters.find("captiva.radius.packets")
                        .tag("outcome", "dropped")
                        .tag("reason", reason)
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void answersOnlyOnceTheTransactionReturned() {
        List<Integer> answersSeenByTheTransaction = new ArrayList<>();
        BatchStore store = store(events -> answersSeenByTheTransaction.add(channel.answers.size()));

        boolean stored = store.store(0, batch(3));

        assertTrue(stored);
        assertEquals(List.of(0), answersSeenByTheTransaction);
        assertEquals(List.of("s-0", "s-1", "s-2"), channel.answers);
        assertEquals(List.of("s-0", "s-1", "s-2"), judge.answered);
    }

    @Test
    void aPoisonedPacketIsDroppedAloneAndEveryOtherIsStoredAndAnswered() {
        List<Integer> transactionSizes = new ArrayList<>();
        BatchStore store =
                store(
                        events -> {
                            transactionSizes.add(events.size());
                            if (events.stream().anyMatch(e -> e.acctSessionId().equals("s-5"))) {
                                throw new RuntimeException(
                                        new SQLException("invalid byte sequence", "22021"));
                            }
                        });

        boolean stored = store.store(0, batch(8));

        assertTrue(stored, "a refused value is not a failing database: no back-off");
        assertEquals(List.of("s-0", "s-1", "s-2", "s-3", "s-4", "s-6", "s-7"), channel.answers);
        assertEquals(List.of("s-5"), judge.notStored);
        assertEquals(1, dropped("unusable"));
        assertEquals(List.of(8, 4, 4, 2, 1, 1, 2), transactionSizes);
    }

    @Test
    void aFailingDatabaseAnswersNothingAndAsksForBackOff() {
        BatchStore store =
                store(
                        events -> {
                            throw new RuntimeException(
                                    new SQLException("connection lost", "08006"));
                        });

        boolean stored = store.store(1, batch(4));

        assertFalse(stored);
        assertEquals(List.of(), channel.answers);
        assertEquals(List.of("s-0", "s-1", "s-2", "s-3"), judge.notStored);
        assertEquals(4, dropped("not_stored"));
    }

    @Test
    void theCommitTimeOfEachWriterIsMeasuredOnTheTicker() {
        BatchStore store = store(events -> nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(7)));

        store.store(1, batch(5));

        var commits = meters.find("captiva.radius.batch.commit").tag("writer", "1").timer();
        assertEquals(7, commits.totalTime(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(
                5,
                meters.find("captiva.radius.batch.size")
                        .tag("writer", "1")
                        .summary()
                        .totalAmount());
        assertEquals(
                5,
                meters.find("captiva.radius.packets").tag("outcome", "stored").counter().count());
    }
}
