package captiva.ratelimit;

import java.time.Duration;

/**
 * Token buckets per name: {@code perMinute} tokens, refilled smoothly over a minute. Where they are
 * kept is {@code captiva.rate-limit.store}: {@code local} (this process, {@link LocalRateLimiter})
 * or {@code postgres} (shared by every replica, {@link PostgresRateLimiter}).
 */
public interface RateLimiter {

    /**
     * The time over which a bucket refills completely: {@code perMinute} tokens, one every WINDOW /
     * perMinute.
     */
    Duration WINDOW = Duration.ofMinutes(1);

    /** Takes one token from the bucket named {@code key}, created full on first use. */
    RateLimitDecision tryConsume(String key, int perMinute);

    /**
     * Puts back a token taken for a request that was then refused for want of capacity, not for its
     * own doing.
     */
    void giveBack(String key, int perMinute);
}
