package captiva.events.webhooks;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * @param allowPrivateTargets let endpoints be private, loopback or link-local addresses and plain
 *     http:// (a receiver on your own machine or network, as in the demo and the tests); off in
 *     production: CAPTIVA_WEBHOOKS_ALLOW_PRIVATE_TARGETS
 * @param timeout the whole of one attempt: connect, send, and the answer's status line
 * @param firstRetry the first retry's delay; each next one is four times longer (capped at {@code
 *     maxRetryDelay}), each drawn at random between half and all of it
 * @param giveUpAfter how long a delivery is retried before its endpoint is disabled
 * @param workers deliveries sent at once by this replica
 * @param pollInterval how often this replica looks for due deliveries when nothing woke it
 * @param lease how long a claimed delivery is this replica's alone; longer than {@code timeout}
 */
@ConfigurationProperties("captiva.webhooks")
public record WebhookProperties(
        boolean allowPrivateTargets,
        Duration timeout,
        Duration firstRetry,
        Duration maxRetryDelay,
        Duration giveUpAfter,
        int workers,
        Duration pollInterval,
        Duration lease) {}
