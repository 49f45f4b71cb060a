package captiva.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets in this process: {@code perMinute} tokens, refilled smoothly over a minute.
 * Time comes from the injected {@link Clock}, so tests see a refill by moving the clock.
 */
@Singleton
public class RateLimiter {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private record Entry(Bucket bucket, long perMinute, long[] lastUsedNanos) {
    }

    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();
    private final TimeMeter time;

    RateLimiter(Clock clock) {
        this.time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    /** Takes one token from the bucket named {@code key}, created full on first use. */
    public RateLimitDecision tryConsume(String key, int perMinute) {
        Entry entry = buckets.compute(key, (k, old) -> old != null && old.perMinute == perMinute ? old : newEntry(perMinute));
        long now = time.currentTimeNanos();
        synchronized (entry.lastUsedNanos) {
            entry.lastUsedNanos[0] = now;
        }
        ConsumptionProbe probe = entry.bucket.tryConsumeAndReturnRemaining(1);
        long remaining = probe.getRemainingTokens();
        long resetSeconds = ceilSeconds((perMinute - remaining) * WINDOW.toNanos() / perMinute);
        long retryAfter = probe.isConsumed() ? 0 : Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
        return new RateLimitDecision(probe.isConsumed(), perMinute, remaining, resetSeconds, retryAfter);
    }

    /** Drops buckets idle for a whole window: they are full again, the same as a new one. */
    @Scheduled(fixedDelay = "1m")
    void forgetIdleBuckets() {
        long cutoff = time.currentTimeNanos() - WINDOW.toNanos();
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue().lastUsedNanos) {
                return e.getValue().lastUsedNanos[0] < cutoff;
            }
        });
    }

    private Entry newEntry(int perMinute) {
        Bucket bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, WINDOW))
                .withCustomTimePrecision(time)
                .build();
        return new Entry(bucket, perMinute, new long[] {0});
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
