package captiva.ingest.radius;

import captiva.common.ClockTimeMeter;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;

/**
 * Token buckets for NAS lookups that may find nothing: one per source address and one for all
 * sources together. A source that spent its tokens gets no lookup until they refill, and neither
 * does anyone once the shared bucket is empty; {@link NasSecrets} never asks here for a NAS it
 * found before, so registered NAS keep being recognised during a flood.
 */
final class NasLookupBudget {

    /**
     * Beyond this many source addresses the least used are forgotten (full buckets again); the
     * shared bucket still holds.
     */
    private static final int MAX_SOURCES = 10_000;

    private static final Duration REFILL_PERIOD = Duration.ofSeconds(1);

    private final NasLookupProperties limits;
    private final TimeMeter time;
    private final Bucket everyone;
    private final Cache<String, Bucket> bySource =
            Caffeine.newBuilder().maximumSize(MAX_SOURCES).build();

    NasLookupBudget(NasLookupProperties limits, Clock clock) {
        this.limits = limits;
        this.time = new ClockTimeMeter(clock);
        this.everyone = bucket(limits.total());
    }

    /**
     * Takes a token from the source's bucket and the shared one; false (and nothing taken) when
     * either is empty.
     */
    boolean tryTake(String source) {
        Bucket own = bySource.get(source, s -> bucket(limits.perSource()));
        if (!own.tryConsume(1)) {
            return false;
        }
        if (everyone.tryConsume(1)) {
            return true;
        }
        own.addTokens(1);
        return false;
    }

    /** Gives a token back: the lookup found the NAS it was asked for, which is no flood. */
    void giveBack(String source) {
        Bucket own = bySource.getIfPresent(source);
        if (own != null) {
            own.addTokens(1);
        }
        everyone.addTokens(1);
    }

    private Bucket bucket(int perSecond) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(perSecond).refillGreedy(perSecond, REFILL_PERIOD))
                .withCustomTimePrecision(time)
                .build();
    }
}
