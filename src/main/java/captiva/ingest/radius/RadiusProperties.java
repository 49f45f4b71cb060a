package captiva.ingest.radius;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * The RADIUS accounting listener.
 *
 * @param enabled whether to listen at all
 * @param accountingPort UDP port (1813 by RFC 2866; 0 picks a free one, as tests do)
 * @param bindAddress address to listen on
 * @param batchSize most packets applied in one transaction
 * @param queueCapacity packets waiting for a transaction, shared out among the writers; beyond it
 *     packets are dropped unanswered so the NAS retransmits, instead of memory growing without
 *     bound
 * @param writers threads applying batches side by side, each with its own connection (keep it well
 *     below the pool size); a session's packets always go to the same one
 * @param dedupWindow how long an answered packet is remembered, to answer retransmits again
 * @param nasCacheTtl how long a NAS lookup (found or not) is trusted; bounds the database load of a
 *     flood from an unknown source, and how late a new or removed NAS is seen
 * @param maxClockSkew an Event-Timestamp further than this from our clock is not believed: arrival
 *     time is used instead, so a NAS with a broken clock cannot corrupt durations
 * @param drainTimeout at shutdown, how long queued packets may take to be stored and answered
 * @param receiveBuffer the UDP socket's receive buffer ("4MB"): what a burst may queue while the
 *     receive thread is busy; beyond it the kernel drops datagrams, counted in {@code
 *     captiva.radius.kernel.drops}
 */
@ConfigurationProperties("captiva.radius")
public record RadiusProperties(
        boolean enabled,
        int accountingPort,
        String bindAddress,
        @Min(1) int batchSize,
        @Min(1) int queueCapacity,
        @Min(1) int writers,
        Duration dedupWindow,
        Duration nasCacheTtl,
        Duration maxClockSkew,
        Duration drainTimeout,
        @ReadableBytes @Min(4096) int receiveBuffer) {}
