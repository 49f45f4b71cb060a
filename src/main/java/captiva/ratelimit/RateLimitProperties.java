package captiva.ratelimit;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * @param defaultPerMinute requests a minute per API key per endpoint, unless the key sets its own
 * @param failedAuthPerMinute failed authentications a minute per client address before it gets 429
 * @param exportPerMinute requests a minute per API key to an export endpoint (see {@code
 *     ExportRateLimit}), or the key's own limit if lower
 * @param controlPerMinute requests a minute per API key to a session-control endpoint (Disconnect,
 *     CoA; see {@code ControlRateLimit}), or the key's own limit if lower
 * @param store where buckets live: {@code local} (one process) or {@code postgres} (shared by
 *     replicas)
 */
@ConfigurationProperties("captiva.rate-limit")
public record RateLimitProperties(
        @Min(1) int defaultPerMinute,
        @Min(1) int failedAuthPerMinute,
        @Min(1) int exportPerMinute,
        @Min(1) int controlPerMinute,
        @NotNull Store store) {

    public enum Store {
        LOCAL,
        POSTGRES
    }
}
