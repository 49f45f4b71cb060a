package captiva.ingest.radius;

import captiva.common.problem.DatabaseFailures;
import captiva.ingest.radius.AccountingPacketHandler.Verdict;
import captiva.sessions.AccountingEvent;
import captiva.sessions.SessionRecorder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The RADIUS accounting server (RFC 2866) inside the service: one thread receives and judges
 * datagrams; several writers ({@code captiva.radius.writers}), each with its own queue and
 * connection, apply queued packets a batch per transaction and only then send their
 * Accounting-Responses. Nothing acknowledged is lost: an answer means committed. When a queue is
 * full, or the database fails, packets go unanswered and the NAS retransmits them.
 * <p>
 * A session's packets (NAS + Acct-Session-Id) always go to the same writer, so they are applied
 * in the order received and two writers never update the same row. An Accounting-On/Off, which
 * closes all of its NAS's sessions, is a {@link NasWideTurn} that every writer meets in its place.
 * Shutdown stops receiving, stores and answers what is queued, then closes the socket.
 */
@Context
@Requires(property = "captiva.radius.enabled", notEquals = "false")
public class RadiusListener {

    private static final Logger LOG = LoggerFactory.getLogger(RadiusListener.class);
    private static final int MAX_DATAGRAM = 4096;
    private static final Duration DROP_LOG_INTERVAL = Duration.ofSeconds(10);

    private final AccountingPacketHandler handler;
    private final SessionRecorder recorder;
    private final RadiusProperties properties;
    private final MeterRegistry meters;
    private final List<Writer> writers;
    private final DatagramChannel channel;
    private final Selector selector;
    private final Thread receiver;
    private final Map<DropReason, AtomicLong> dropsSinceLog = new EnumMap<>(DropReason.class);
    private volatile long lastDropLog;
    private volatile boolean receiving = true;
    private volatile boolean writing = true;

    RadiusListener(AccountingPacketHandler handler, SessionRecorder recorder, RadiusProperties properties, MeterRegistry meters) {
        this.handler = handler;
        this.recorder = recorder;
        this.properties = properties;
        this.meters = meters;
        int queueCapacity = Math.max(1, properties.queueCapacity() / properties.writers());
        List<Writer> created = new ArrayList<>();
        for (int i = 0; i < properties.writers(); i++) {
            created.add(new Writer(i, queueCapacity));
        }
        this.writers = List.copyOf(created);
        for (DropReason reason : DropReason.values()) {
            dropsSinceLog.put(reason, new AtomicLong());
        }
        meters.gauge("captiva.radius.queue.depth", this, RadiusListener::queued);
        meters.counter("captiva.radius.packets", "outcome", "stored");
        try {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
            channel.bind(new InetSocketAddress(properties.bindAddress(), properties.accountingPort()));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen for RADIUS accounting on " + properties.bindAddress() + ":"
                    + properties.accountingPort() + " (set CAPTIVA_RADIUS_ACCOUNTING_PORT)", e);
        }
        receiver = new Thread(this::receive, "radius-receive");
        receiver.start();
        writers.forEach(w -> w.thread.start());
        LOG.info("RADIUS accounting listening on UDP {}:{} with {} writers", properties.bindAddress(), port(), writers.size());
    }

    /** Whether shutdown began: no packet is taken any more, queued ones are being stored and answered. */
    public boolean draining() {
        return !receiving;
    }

    /** Packets received and waiting for their transaction (an Accounting-On/Off counts once per writer). */
    public int queued() {
        return writers.stream().mapToInt(w -> w.queue.size()).sum();
    }

    /** The bound UDP port; differs from the configured one when that is 0. */
    public int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM + 1);
        while (receiving) {
            try {
                if (selector.select(100) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                SocketAddress sender;
                while (receiving && (sender = channel.receive(buffer.clear())) != null) {
                    judge(buffer.array(), buffer.position(), (InetSocketAddress) sender);
                }
            } catch (IOException | RuntimeException e) {
                // One bad packet or a transient socket error must never stop the listener.
                if (receiving) {
                    LOG.warn("RADIUS receive failed; going on: {}", e.toString());
                }
            }
        }
    }

    private void judge(byte[] datagram, int length, InetSocketAddress sender) {
        Verdict verdict = handler.handle(datagram, length, sender);
        if (verdict instanceof Verdict.Store store) {
            if (enqueue(store.packet())) {
                return;
            }
            handler.notStored(store.packet());
            drop(DropReason.QUEUE_FULL, 1, "writer queue is full (" + properties.queueCapacity() + " in all)", sender);
        } else if (verdict instanceof Verdict.Answer answer) {
            count("answered_again");
            send(answer.response(), sender);
        } else if (verdict instanceof Verdict.AwaitCommit) {
            count("awaiting_commit");
        } else if (verdict instanceof Verdict.Drop drop) {
            drop(drop.reason(), 1, drop.detail(), sender);
        }
    }

    /** To the writer of its session; an Accounting-On/Off to every writer, or to none if one is full. */
    private boolean enqueue(PendingPacket packet) {
        AccountingEvent event = packet.event();
        if (!event.type().isNasWide()) {
            int hash = 31 * Long.hashCode(event.nasId()) + event.acctSessionId().hashCode();
            return writers.get(Math.floorMod(hash ^ (hash >>> 16), writers.size())).queue.offer(new Work(packet, null));
        }
        // Only the receive thread adds to the queues, so the room seen here is still there below.
        if (writers.stream().anyMatch(w -> w.queue.remainingCapacity() == 0)) {
            return false;
        }
        NasWideTurn turn = new NasWideTurn(writers.size());
        writers.forEach(w -> w.queue.add(new Work(packet, turn)));
        return true;
    }

    /** A queued packet; {@code turn} is set for an Accounting-On/Off, which is in every writer's queue. */
    private record Work(PendingPacket packet, @Nullable NasWideTurn turn) {
    }

    /** One writer thread with its own queue; its transactions take their own pooled connection. */
    private final class Writer implements Runnable {

        private final int index;
        private final BlockingQueue<Work> queue;
        private final Thread thread;
        private final Timer commits;
        private final DistributionSummary sizes;
        private long backoffMillis;

        Writer(int index, int queueCapacity) {
            this.index = index;
            this.queue = new ArrayBlockingQueue<>(queueCapacity);
            this.thread = new Thread(this, "radius-write-" + index);
            // Registered now, so that dashboards and alerts see zeros rather than no series before the first packet.
            this.commits = meters.timer("captiva.radius.batch.commit", "writer", Integer.toString(index));
            this.sizes = meters.summary("captiva.radius.batch.size", "writer", Integer.toString(index));
        }

        @Override
        public void run() {
            List<Work> taken = new ArrayList<>(properties.batchSize());
            List<PendingPacket> batch = new ArrayList<>(properties.batchSize());
            while (writing || !queue.isEmpty()) {
                try {
                    Work first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    taken.clear();
                    taken.add(first);
                    queue.drainTo(taken, properties.batchSize() - 1);
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

        /** Everything before the turn is committed (or given up on) by now; the first writer stores the packet. */
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

        private void storeOrBackOff(List<PendingPacket> batch) throws InterruptedException {
            if (batch.isEmpty()) {
                return;
            }
            boolean stored;
            try {
                stored = store(batch, this);
            } catch (RuntimeException e) {
                // A bug rather than the database: answer nothing (the NAS retransmits) and keep this
                // writer alive, so that it still meets the others at the next Accounting-On/Off.
                LOG.error("RADIUS writer {} could not finish a batch of {}", index, batch.size(), e);
                drop(DropReason.NOT_STORED, batch.size(), e.toString(), null);
                stored = false;
            }
            if (stored) {
                backoffMillis = 0;
            } else {
                backoffMillis = Math.min(1000, Math.max(50, backoffMillis * 2));
                Thread.sleep(backoffMillis);   // let a failing database breathe; the NAS retransmits meanwhile
            }
        }
    }

    /**
     * One transaction for the batch; answers only after it committed. Returns false when the
     * database is failing (the caller backs off); a batch refused for one packet's data is split
     * so that the good packets are stored and answered and only the bad one is dropped.
     */
    private boolean store(List<PendingPacket> batch, Writer writer) {
        long started = System.nanoTime();
        try {
            recorder.record(batch.stream().map(PendingPacket::event).toList());
        } catch (RuntimeException e) {
            if (DatabaseFailures.classify(e) == DatabaseFailures.Kind.BAD_DATA) {
                return storeApart(batch, e, writer);
            }
            for (PendingPacket packet : batch) {
                handler.notStored(packet);
            }
            drop(DropReason.NOT_STORED, batch.size(), e.getMessage(), null);
            return false;
        }
        writer.commits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        writer.sizes.record(batch.size());
        for (PendingPacket packet : batch) {
            handler.answered(packet);
            send(packet.response(), packet.sender());
        }
        meters.counter("captiva.radius.packets", "outcome", "stored").increment(batch.size());
        return true;
    }

    private boolean storeApart(List<PendingPacket> batch, RuntimeException refusal, Writer writer) {
        if (batch.size() == 1) {
            handler.notStored(batch.get(0));
            drop(DropReason.UNUSABLE, 1, "the database refused its values: " + refusal.getMessage(), batch.get(0).sender());
            return true;
        }
        int half = batch.size() / 2;
        boolean first = store(batch.subList(0, half), writer);
        boolean second = store(batch.subList(half, batch.size()), writer);
        return first && second;
    }

    /** A full socket buffer is waited out briefly; an answer still not sent is counted, and the NAS retransmits. */
    private void send(byte[] response, SocketAddress to) {
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                if (channel.send(ByteBuffer.wrap(response), to) > 0) {
                    return;
                }
                Thread.sleep(1);
            }
            count("answer_not_sent");
        } catch (IOException e) {
            count("answer_not_sent");
            LOG.debug("Could not answer {}: {}", to, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void count(String outcome) {
        meters.counter("captiva.radius.packets", "outcome", outcome).increment();
    }

    /** Counted always; logged at most once per interval, so a flood cannot flood the log. */
    private void drop(DropReason reason, int packets, String detail, SocketAddress from) {
        meters.counter("captiva.radius.packets", "outcome", "dropped", "reason", reason.metricName()).increment(packets);
        dropsSinceLog.get(reason).addAndGet(packets);
        long now = System.nanoTime();
        if (now - lastDropLog >= DROP_LOG_INTERVAL.toNanos()) {
            lastDropLog = now;
            StringBuilder counts = new StringBuilder();
            dropsSinceLog.forEach((r, n) -> {
                long dropped = n.getAndSet(0);
                if (dropped > 0) {
                    counts.append(' ').append(r.metricName()).append('=').append(dropped);
                }
            });
            LOG.warn("RADIUS packets dropped in the last {} s:{}; latest from {}: {}",
                    DROP_LOG_INTERVAL.toSeconds(), counts, from == null ? "-" : from, detail);
        }
    }

    /** Drains before the database goes: Micronaut publishes this before it destroys beans. */
    @EventListener
    void onShutdown(ShutdownEvent event) {
        stop();
    }

    @PreDestroy
    synchronized void stop() {
        if (!writing) {
            return;
        }
        receiving = false;
        try {
            receiver.join(Duration.ofSeconds(2).toMillis());
            writing = false;
            long deadline = System.nanoTime() + properties.drainTimeout().toNanos();
            for (Writer writer : writers) {
                writer.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            if (writers.stream().anyMatch(w -> w.thread.isAlive())) {
                LOG.warn("RADIUS drain timed out with {} packets queued; they were never answered", queued());
                writers.forEach(w -> w.thread.interrupt());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                selector.close();
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing the RADIUS socket: {}", e.toString());
            }
        }
        LOG.info("RADIUS accounting stopped");
    }
}
