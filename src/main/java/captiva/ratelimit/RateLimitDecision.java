package captiva.ratelimit;

/**
 * The outcome of asking for one request's token, shaped like bucket4j's {@code ConsumptionProbe}.
 *
 * @param resetSeconds seconds until the bucket is full again ({@code X-RateLimit-Reset})
 * @param retryAfterSeconds when rejected, seconds until one token is back ({@code Retry-After});
 *     else 0
 */
public record RateLimitDecision(
        boolean allowed, int limit, long remaining, long resetSeconds, long retryAfterSeconds) {}
