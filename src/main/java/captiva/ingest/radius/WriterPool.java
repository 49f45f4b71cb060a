package captiva.ingest.radius;

import captiva.common.IngestPressure;
import captiva.common.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writer threads ({@code captiva.radius.writers}), each with its own bounded queue and its own
 * transactions, storing packets a batch at a time through the {@link BatchStore}.
 *
 * <p>A session's packets (NAS + Acct-Session-Id) always go to the same writer, so they are applied
 * in the order received and two writers never update the same row. An Accounting-On/Off, which
 * closes all of its NAS's sessions, is a {@link NasWideTurn} that every writer meets in its place.
 */
@Singleton
class WriterPool {

    private static final Logger LOG = LoggerFactory.getLogger(WriterPool.class);

    private final BatchStore store;
    private final PacketMetrics metrics;
    private final Ticker ticker;
    private final IngestPressure pressure;
    private final int batchSize;
    private final int capacity;
    private final List<Writer> writers;
    private volatile boolean writing = true;

    @Inject
    WriterPool(
            BatchStore store,
            PacketMetrics metrics,
            MeterRegistry meters,
            Ticker ticker,
            IngestPressure pressure,
            RadiusProperties properties) {
        this(
                store,
                metrics,
                meters,
                ticker,
                pressure,
                properties.writers(),
                properties.queueCapacity(),
                properties.batchSize());
    }

    /**
     * @param queueCapacity packets waiting in all queues together; beyond it {@link #submit}
     *     refuses
     */
    WriterPool(
            BatchStore store,
            PacketMetrics metrics,
            MeterRegistry meters,
            Ticker ticker,
            IngestPressure pressure,
            int writers,
            int queueCapacity,
            int batchSize) {
        this.store = store;
        this.metrics = metrics;
        this.ticker = ticker;
        this.pressure = pressure;
        this.batchSize = batchSize;
        this.capacity = queueCapacity;
        int perWriter = Math.max(1, queueCapacity / writers);
        List<Writer> created = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            created.add(new Writer(i, perWriter));
        }
        this.writers = List.copyOf(created);
        meters.gauge("captiva.radius.queue.depth", this, WriterPool::queued);
    }

    void start() {
        writers.forEach(w -> w.thread.start());
    }

    /** Packets that may wait in all queues together. */
    int capacity() {
        return capacity;
    }

    /** Packets waiting for their transaction (an Accounting-On/Off counts once per writer). */
    int queued() {
        return writers.stream().mapToInt(w -> w.queue.size()).sum();
    }

    /**
     * Queues the packet for the writer of its session, an Accounting-On/Off for every writer.
     * Returns false, queuing nothing, when a queue it needs is full: the packet is not stored and
     * the caller drops it unanswered. Synchronized because several receivers may submit, and an
     * Accounting-On/Off must find room in every queue at once.
     */
    synchronized boolean submit(QueuedPacket packet) {
        var event = packet.packet().event();
        if (!event.type().isNasWide()) {
            int hash = 31 * Long.hashCode(event.nasId()) + event.acctSessionId().hashCode();
            return writers.get(Math.floorMod(hash ^ (hash >>> 16), writers.size()))
                    .queue
                    .offer(new Work(packet, null));
        }
        if (writers.stream().anyMatch(w -> w.queue.remainingCapacity() == 0)) {
            return false;
        }
        NasWideTurn turn = new NasWideTurn(writers.size());
        writers.forEach(w -> w.queue.add(new Work(packet, turn)));
        return true;
    }

    /**
     * Stores and answers everything queued, waiting at most {@code timeout}; what is still queued
     * then is never answered (the NAS retransmits it to another replica). Submit nothing after.
     */
    void drain(Duration timeout) throws InterruptedException {
        writing = false;
        long deadline = ticker.nanos() + timeout.toNanos();
        for (Writer writer : writers) {
            writer.thread.join(
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - ticker.nanos())));
        }
        if (writers.stream().anyMatch(w -> w.thread.isAlive())) {
            LOG.warn(
                    "RADIUS drain timed out with {} packets queued; they were never answered",
                    queued());
            writers.forEach(w -> w.thread.interrupt());
        }
    }

    /**
     * A queued packet; {@code turn} is set for an Accounting-On/Off, which is in every writer's
     * queue.
     */
    private record Work(QueuedPacket packet, @Nullable NasWideTurn turn) {}

    /** One writer thread with its own queue; its transactions take their own pooled connection. */
    private final class Writer implements Runnable {

        private final int index;
        private final BlockingQueue<Work> queue;
        private final Thread thread;
        private long backoffMillis;

        Writer(int index, int queueCapacity) {
            this.index = index;
            this.queue = new ArrayBlockingQueue<>(queueCapacity);
            this.thread = new Thread(this, "radius-write-" + index);
        }

        @Override
        public void run() {
            List<Work> taken = new ArrayList<>(batchSize);
            List<QueuedPacket> batch = new ArrayList<>(batchSize);
            while (writing || !queue.isEmpty()) {
                try {
                    Work first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    taken.clear();
                    taken.add(first);
                    queue.drainTo(taken, batchSize - 1);
                    pressure.batchTaken(taken.size());
                    batch.clear();
                    for (Work work : taken) {
                        if (work.turn() == null) {
                            batch.add(work.packet());
                        } else {
                            storeOrBackOff(batch);
                            batch.clear();
                            takeTurn(work);
                        }
                    }
                    storeOrBackOff(batch);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /**
         * Everything before the turn is committed (or given up on) by now; the first writer stores
         * the packet.
         */
        private void takeTurn(Work work) throws InterruptedException {
            if (index > 0) {
                work.turn().arriveAndWait();
                return;
            }
            try {
                work.turn().awaitOthers();
                storeOrBackOff(List.of(work.packet()));
            } finally {
                work.turn().over();
            }
        }

        private void storeOrBackOff(List<QueuedPacket> batch) throws InterruptedException {
            if (batch.isEmpty()) {
                return;
            }
            boolean stored;
            try {
                stored = store.store(index, batch);
            } catch (RuntimeException e) {
                // A bug rather than the database: answer nothing (the NAS retransmits) and keep
                // this
                // writer alive, so that it still meets the others at the next Accounting-On/Off.
                LOG.error(
                        "RADIUS writer {} could not finish a batch of {}", index, batch.size(), e);
                metrics.dropped(DropReason.NOT_STORED, batch.size(), e.toString(), null);
                stored = false;
            }
            if (stored) {
                backoffMillis = 0;
            } else {
                backoffMillis = Math.min(1000, Math.max(50, backoffMillis * 2));
                Thread.sleep(backoffMillis); // let a failing database breathe; the NAS retransmits
                // meanwhile
            }
        }
    }
}
