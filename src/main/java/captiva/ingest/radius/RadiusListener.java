package captiva.ingest.radius;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RADIUS accounting server (RFC 2866) inside the service, as three parts: {@link Receiver}s
 * take packets in and have them judged, the {@link WriterPool} queues them per session, and the
 * {@link BatchStore} commits a batch per transaction and only then sends the Accounting-Responses.
 * Nothing acknowledged is lost: an answer means committed. When a queue is full, or the database
 * fails, packets go unanswered and the NAS retransmits them.
 *
 * <p>Started once the application has started; shutdown stops receiving, stores and answers what is
 * queued, then closes the sockets.
 */
@Context
@Requires(property = "captiva.radius.enabled", notEquals = "false")
public class RadiusListener {

    private static final Logger LOG = LoggerFactory.getLogger(RadiusListener.class);

    private final RadiusProperties properties;
    private final WriterPool writers;
    private final UdpReceiver udp;
    private final List<Receiver> receivers;
    private volatile boolean started;
    private volatile boolean receiving;

    RadiusListener(
            RadiusProperties properties,
            WriterPool writers,
            UdpReceiver udp,
            List<Receiver> receivers) {
        this.properties = properties;
        this.writers = writers;
        this.udp = udp;
        this.receivers = receivers;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        start();
    }

    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        writers.start();
        receivers.forEach(Receiver::start);
        receiving = true;
        LOG.info(
                "RADIUS accounting listening on UDP {}:{} with {} writers",
                properties.bindAddress(),
                port(),
                properties.writers());
    }

    /**
     * Whether shutdown began: no packet is taken any more, queued ones are being stored and
     * answered.
     */
    public boolean draining() {
        return started && !receiving;
    }

    /**
     * Packets received and waiting for their transaction (an Accounting-On/Off counts once per
     * writer).
     */
    public int queued() {
        return writers.queued();
    }

    /** The bound UDP port; differs from the configured one when that is 0. */
    public int port() {
        return udp.port();
    }

    /** Drains before the database goes: Micronaut publishes this before it destroys beans. */
    @EventListener
    void onShutdown(ShutdownEvent event) {
        stop();
    }

    @PreDestroy
    synchronized void stop() {
        if (!receiving) {
            return;
        }
        receiving = false;
        try {
            receivers.forEach(Receiver::stopReceiving);
            writers.drain(properties.drainTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            receivers.forEach(Receiver::close);
        }
        LOG.info("RADIUS accounting stopped");
    }
}
