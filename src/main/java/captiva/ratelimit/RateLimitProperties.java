package captiva.ratelimit;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;

/**
 * @param defaultPerMinute    requests a minute per API key per endpoint, unless the key sets its own
 * @param failedAuthPerMinute failed authentications a minute per client address before it gets 429
 */
@ConfigurationProperties("captiva.rate-limit")
public record RateLimitProperties(@Min(1) int defaultPerMinute, @Min(1) int failedAuthPerMinute) {
}
