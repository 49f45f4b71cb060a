package captiva.ingest.radius;

import captiva.common.Ticker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcome of every packet, as the {@code captiva.radius.packets} counter; drops are also
 * logged, at most once per interval so that a flood cannot flood the log.
 */
@Singleton
class PacketMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(RadiusListener.class);
    private static final Duration DROP_LOG_INTERVAL = Duration.ofSeconds(10);

    private final MeterRegistry meters;
    private final Ticker ticker;
    private final Map<DropReason, AtomicLong> dropsSinceLog = new EnumMap<>(DropReason.class);
    private final AtomicLong lastDropLog;

    PacketMetrics(MeterRegistry meters, Ticker ticker) {
        this.meters = meters;
        this.ticker = ticker;
        for (DropReason reason : DropReason.values()) {
            dropsSinceLog.put(reason, new AtomicLong());
        }
        lastDropLog = new AtomicLong(ticker.nanos() - DROP_LOG_INTERVAL.toNanos());
        // Registered now, so that dashboards and alerts see zeros rather than no series before the
        // first packet.
        meters.counter("captiva.radius.packets", "outcome", "stored");
    }

    void stored(int packets) {
        meters.counter("captiva.radius.packets", "outcome", "stored").increment(packets);
    }

    /**
     * An outcome other than stored or dropped: answered again, awaiting commit, answer not sent.
     */
    void count(String outcome) {
        meters.counter("captiva.radius.packets", "outcome", outcome).increment();
    }

    /**
     * The socket's side: the receive buffer the kernel granted, and the datagrams it dropped
     * because that buffer was full (where the kernel tells, see {@link KernelSocketDrops}).
     */
    void socket(int receiveBufferBytes, KernelSocketDrops kernelDrops) {
        Gauge.builder("captiva.radius.socket.receive.buffer", () -> receiveBufferBytes)
                .baseUnit("bytes")
                .description("the RADIUS socket's receive buffer, as the kernel granted it")
                .strongReference(true)
                .register(meters);
        if (KernelSocketDrops.supported()) {
            FunctionCounter.builder(
                            "captiva.radius.kernel.drops",
                            kernelDrops,
                            d -> {
                                OptionalLong dropped = d.read();
                                return dropped.isPresent() ? dropped.getAsLong() : Double.NaN;
                            })
                    .description(
                            "datagrams the kernel dropped at the RADIUS socket, its receive buffer full")
                    .register(meters);
        }
    }

    void dropped(DropReason reason, int packets, String detail, @Nullable SocketAddress from) {
        meters.counter(
                        "captiva.radius.packets",
                        "outcome",
                        "dropped",
                        "reason",
                        reason.metricName())
                .increment(packets);
        dropsSinceLog.get(reason).addAndGet(packets);
        long now = ticker.nanos();
        long last = lastDropLog.get();
        if (now - last >= DROP_LOG_INTERVAL.toNanos() && lastDropLog.compareAndSet(last, now)) {
            StringBuilder counts = new StringBuilder();
            dropsSinceLog.forEach(
                    (r, n) -> {
                        long dropped = n.getAndSet(0);
                        if (dropped > 0) {
                            counts.append(' ').append(r.metricName()).append('=').append(dropped);
                        }
                    });
            LOG.warn(
                    "RADIUS packets dropped in the last {} s:{}; latest from {}: {}",
                    DROP_LOG_INTERVAL.toSeconds(),
                    counts,
                    from == null ? "-" : from,
                    detail);
        }
    }
}
