package captiva.ingest.radius;

import captiva.common.problem.DatabaseFailures;
import captiva.ingest.radius.AccountingPacketHandler.Verdict;
import captiva.sessions.SessionRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ShutdownEvent;
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
 * datagrams, one applies queued packets a batch per transaction and only then sends their
 * Accounting-Responses. Nothing acknowledged is lost: an answer means committed. When the queue
 * is full, or the database fails, packets go unanswered and the NAS retransmits them.
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
    private final BlockingQueue<PendingPacket> queue;
    private final DatagramChannel channel;
    private final Selector selector;
    private final Thread receiver;
    private final Thread writer;
    private final Map<DropReason, AtomicLong> dropsSinceLog = new EnumMap<>(DropReason.class);
    private volatile long lastDropLog;
    private volatile boolean receiving = true;
    private volatile boolean writing = true;

    RadiusListener(AccountingPacketHandler handler, SessionRecorder recorder, RadiusProperties properties, MeterRegistry meters) {
        this.handler = handler;
        this.recorder = recorder;
        this.properties = properties;
        this.meters = meters;
        this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
        for (DropReason reason : DropReason.values()) {
            dropsSinceLog.put(reason, new AtomicLong());
        }
        meters.gauge("captiva.radius.queue.depth", queue, BlockingQueue::size);
        // Registered now, so that dashboards and alerts see zeros rather than no series before the first packet.
        meters.timer("captiva.radius.batch.commit");
        meters.summary("captiva.radius.batch.size");
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
        writer = new Thread(this::write, "radius-write");
        receiver.start();
        writer.start();
        LOG.info("RADIUS accounting listening on UDP {}:{}", properties.bindAddress(), port());
    }

    /** Whether shutdown began: no packet is taken any more, queued ones are being stored and answered. */
    public boolean draining() {
        return !receiving;
    }

    /** Packets received and waiting for their transaction. */
    public int queued() {
        return queue.size();
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
            if (queue.offer(store.packet())) {
                return;
            }
            handler.notStored(store.packet());
            drop(DropReason.QUEUE_FULL, 1, "queue of " + properties.queueCapacity() + " is full", sender);
        } else if (verdict instanceof Verdict.Answer answer) {
            count("answered_again");
            send(answer.response(), sender);
        } else if (verdict instanceof Verdict.AwaitCommit) {
            count("awaiting_commit");
        } else if (verdict instanceof Verdict.Drop drop) {
            drop(drop.reason(), 1, drop.detail(), sender);
        }
    }

    private void write() {
        List<PendingPacket> batch = new ArrayList<>(properties.batchSize());
        long backoffMillis = 0;
        while (writing || !queue.isEmpty()) {
            try {
                PendingPacket first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, properties.batchSize() - 1);
                if (store(batch)) {
                    backoffMillis = 0;
                } else {
                    backoffMillis = Math.min(1000, Math.max(50, backoffMillis * 2));
                    Thread.sleep(backoffMillis);   // let a failing database breathe; the NAS retransmits meanwhile
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One transaction for the batch; answers only after it committed. Returns false when the
     * database is failing (the caller backs off); a batch refused for one packet's data is split
     * so that the good packets are stored and answered and only the bad one is dropped.
     */
    private boolean store(List<PendingPacket> batch) {
        long started = System.nanoTime();
        try {
            recorder.record(batch.stream().map(PendingPacket::event).toList());
        } catch (RuntimeException e) {
            if (DatabaseFailures.classify(e) == DatabaseFailures.Kind.BAD_DATA) {
                return storeApart(batch, e);
            }
            for (PendingPacket packet : batch) {
                handler.notStored(packet);
            }
            drop(DropReason.NOT_STORED, batch.size(), e.getMessage(), null);
            return false;
        }
        meters.timer("captiva.radius.batch.commit").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        meters.summary("captiva.radius.batch.size").record(batch.size());
        for (PendingPacket packet : batch) {
            handler.answered(packet);
            send(packet.response(), packet.sender());
        }
        meters.counter("captiva.radius.packets", "outcome", "stored").increment(batch.size());
        return true;
    }

    private boolean storeApart(List<PendingPacket> batch, RuntimeException refusal) {
        if (batch.size() == 1) {
            handler.notStored(batch.get(0));
            drop(DropReason.UNUSABLE, 1, "the database refused its values: " + refusal.getMessage(), batch.get(0).sender());
            return true;
        }
        int half = batch.size() / 2;
        boolean first = store(batch.subList(0, half));
        boolean second = store(batch.subList(half, batch.size()));
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
            writer.join(properties.drainTimeout().toMillis());
            if (writer.isAlive()) {
                LOG.warn("RADIUS drain timed out with {} packets queued; they were never answered", queue.size());
                writer.interrupt();
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
