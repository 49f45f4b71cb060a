package captiva.ratelimit;

import captiva.common.ClockTimeMeter;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;

/**
 * What both stores share: the bucket's shape, its time source and how a probe becomes a decision.
 */
final class TokenBuckets {

    static final Duration WINDOW = RateLimiter.WINDOW;

    private TokenBuckets() {}

    static BucketConfiguration perMinute(int perMinute) {
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, WINDOW))
                .build();
    }

    /** The injected clock as bucket4j's time, so tests see a refill by moving the clock. */
    static TimeMeter time(Clock clock) {
        return new ClockTimeMeter(clock);
    }

    static RateLimitDecision decision(ConsumptionProbe probe, int perMinute) {
        long remaining = probe.getRemainingTokens();
        // From the bucket's own state, tokens partly refilled included, so that for a bucket of one
        // token (exports) Reset and Retry-After name the same moment.
        long resetSeconds = ceilSeconds(probe.getNanosToWaitForReset());
        long retryAfter =
                probe.isConsumed() ? 0 : Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
        return new RateLimitDecision(
                probe.isConsumed(), perMinute, remaining, resetSeconds, retryAfter);
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
