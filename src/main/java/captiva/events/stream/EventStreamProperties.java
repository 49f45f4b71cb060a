package captiva.events.stream;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * The live stream, GET /events/stream.
 *
 * @param maxPerKey streams one API key may hold open at once, counted across replicas
 * @param countsInterval how often each stream gets {@code online.counts}
 * @param heartbeatInterval how often each stream gets a {@code : keep-alive} comment, so that
 *     proxies and clients see a quiet stream is still alive
 * @param pollInterval how often this replica looks for events numbered by another replica (its own
 *     sequencer wakes the streams at once)
 * @param lease how long an open stream's slot counts without being renewed: a crashed replica's
 *     streams stop counting after it
 * @param buffer messages waiting for one client; a client that falls further behind is too slow and
 *     is closed, so that it cannot hold the others back
 */
@ConfigurationProperties("captiva.events.stream")
public record EventStreamProperties(
        @Min(1) int maxPerKey,
        Duration countsInterval,
        Duration heartbeatInterval,
        Duration pollInterval,
        Duration lease,
        @Min(4) int buffer) {}
