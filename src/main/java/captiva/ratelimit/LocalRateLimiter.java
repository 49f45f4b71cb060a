package captiva.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Buckets in this process: right for one process, but with N replicas a key gets N times its limit.
 * Time comes from the injected {@link Clock}.
 */
@Singleton
@Requires(property = "captiva.rate-limit.store", value = "local", defaultValue = "local")
class LocalRateLimiter implements RateLimiter {

    private record Entry(Bucket bucket, long perMinute, long[] lastUsedNanos) {}

    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();
    private final TimeMeter time;

    LocalRateLimiter(Clock clock) {
        this.time = TokenBuckets.time(clock);
    }

    @Override
    public RateLimitDecision tryConsume(String key, int perMinute) {
        Entry entry =
                buckets.compute(
                        key,
                        (k, old) ->
                                old != null && old.perMinute == perMinute
                                        ? old
                                        : newEntry(perMinute));
        long now = time.currentTimeNanos();
        synchronized (entry.lastUsedNanos) {
            entry.lastUsedNanos[0] = now;
        }
        return TokenBuckets.decision(entry.bucket.tryConsumeAndReturnRemaining(1), perMinute);
    }

    @Override
    public void giveBack(String key, int perMinute) {
        Entry entry = buckets.get(key);
        if (entry != null && entry.perMinute == perMinute) {
            entry.bucket.addTokens(1);
        }
    }

    /** Drops buckets idle for a whole window: they are full again, the same as a new one. */
    @Scheduled(fixedDelay = "1m")
    void forgetIdleBuckets() {
        long cutoff = time.currentTimeNanos() - TokenBuckets.WINDOW.toNanos();
        buckets.entrySet()
                .removeIf(
                        e -> {
                            synchronized (e.getValue().lastUsedNanos) {
                                return e.getValue().lastUsedNanos[0] < cutoff;
                            }
                        });
    }

    private Entry newEntry(int perMinute) {
        Bucket bucket =
                Bucket.builder()
                        .addLimit(TokenBuckets.perMinute(perMinute).getBandwidths()[0])
                        .withCustomTimePrecision(time)
                        .build();
        return new Entry(bucket, perMinute, new long[] {0});
    }
}
