package captiva.events;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * @param retention how long events stay in the log (and how far back a reader may resume)
 * @param sequencerInterval how often committed events are given their positions when none were
 *     waiting
 * @param consumerRefresh how often each replica reloads which tenants have a consumer (a change
 *     made on this replica is seen at once)
 * @param retentionInterval how often events older than the retention are deleted
 */
@ConfigurationProperties("captiva.events")
public record EventProperties(
        Duration retention,
        Duration sequencerInterval,
        Duration consumerRefresh,
        Duration retentionInterval) {}
