package captiva.ratelimit;

/**
 * Token buckets per name: {@code perMinute} tokens, refilled smoothly over a minute. Where they are
 * kept is {@code captiva.rate-limit.store}: {@code local} (this process, {@link LocalRateLimiter}) or
 * {@code postgres} (shared by every replica, {@link PostgresRateLimiter}).
 */
public interface RateLimiter {

    /** Takes one token from the bucket named {@code key}, created full on first use. */
    RateLimitDecision tryConsume(String key, int perMinute);
}
