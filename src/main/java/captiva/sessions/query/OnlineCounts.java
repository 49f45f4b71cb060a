package captiva.sessions.query;

import captiva.common.Ticker;
import captiva.common.paging.Count;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.tenancy.TenantScope;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * GET /sessions/count as dashboards poll it all day: who is online, for the whole tenant or one
 * venue. Such a count is computed at most once per {@code captiva.sessions.online-count-max-age} (1
 * s; 0 turns the sharing off) for each tenant, key's venues and venue on this instance, whoever
 * asks. The first asker computes it on its own thread; askers meanwhile wait for that computation's
 * future, and no lock is held while the database counts, so callers of other counts are never held
 * (a loading cache's compute would hold a map bin for the whole query). Any other filter is counted
 * afresh.
 */
@Singleton
class OnlineCounts {

    /**
     * Whose count: the tenant first (venue ids are unique, but a count of a whole tenant is not),
     * then the key's venues, so a restricted key never reads a wider count.
     */
    private record Asked(
            long tenantId, @Nullable Set<Long> keyLocations, @Nullable Long locationId) {}

    /**
     * A count, the instant it was taken at by the clock that decides who is online, and the ticker
     * then: its age runs from the start of the computation, not from when the database answered.
     */
    private record Computed(Count count, Instant at, long startedNanos) {}

    private final SessionSearch search;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration maxAge;
    private final @Nullable AsyncCache<Asked, Computed> counts;

    OnlineCounts(
            SessionSearch search,
            SessionProperties properties,
            Clock clock,
            Ticker ticker,
            MeterRegistry meters) {
        this.search = search;
        this.clock = clock;
        this.ticker = ticker;
        this.maxAge = properties.onlineCountMaxAge();
        if (maxAge.isZero() || maxAge.isNegative()) {
            this.counts = null;
            return;
        }
        long maxAgeNanos = maxAge.toNanos();
        this.counts =
                Caffeine.newBuilder()
                        .expireAfter(
                                new Expiry<Asked, Computed>() {
                                    @Override
                                    public long expireAfterCreate(
                                            Asked key, Computed value, long currentTime) {
                                        return Math.max(
                                                0,
                                                maxAgeNanos - (currentTime - value.startedNanos()));
                                    }

                                    @Override
                                    public long expireAfterUpdate(
                                            Asked key,
                                            Computed value,
                                            long currentTime,
                                            long currentDuration) {
                                        return expireAfterCreate(key, value, currentTime);
                                    }

                                    @Override
                                    public long expireAfterRead(
                                            Asked key,
                                            Computed value,
                                            long currentTime,
                                            long currentDuration) {
                                        return currentDuration;
                                    }
                                })
                        .maximumSize(100_000)
                        .ticker(ticker::nanos)
                        .recordStats()
                        .buildAsync();
        CaffeineCacheMetrics.monitor(meters, counts.synchronous(), "online_counts");
    }

    Count count(TenantScope scope, SessionFilter filter) {
        if (counts == null || !onlineOnly(filter)) {
            return search.count(scope, filter);
        }
        Asked asked = new Asked(scope.tenantId(), scope.locationIds(), filter.locationId());
        CompletableFuture<Computed> shared = shared(asked, scope, filter);
        Computed computed = joined(shared);
        // Expiry follows elapsed time; a clock that stepped since (NTP, or a test moving it) makes
        // the count's instant too far from now either way, and it is taken again.
        if (Duration.between(computed.at(), clock.instant()).abs().compareTo(maxAge) >= 0) {
            counts.asMap().remove(asked, shared);
            computed = joined(shared(asked, scope, filter));
        }
        return computed.count();
    }

    /**
     * The count being computed or computed young enough; else computed here, on the caller's
     * thread.
     */
    private CompletableFuture<Computed> shared(
            Asked asked, TenantScope scope, SessionFilter filter) {
        CompletableFuture<Computed> mine = new CompletableFuture<>();
        CompletableFuture<Computed> found = counts.get(asked, (a, executor) -> mine);
        if (found != mine) {
            return found;
        }
        try {
            mine.complete(compute(scope, filter));
            return mine;
        } catch (RuntimeException | Error e) {
            // A failed future is dropped by the cache; the askers waiting on it fail too, and the
            // next ask computes again.
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static Computed joined(CompletableFuture<Computed> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private Computed compute(TenantScope scope, SessionFilter filter) {
        long started = ticker.nanos();
        Instant at = clock.instant();
        return new Computed(search.count(scope, filter), at, started);
    }

    private static boolean onlineOnly(SessionFilter filter) {
        return Boolean.TRUE.equals(filter.online())
                && !filter.matchesNothing()
                && filter.guestId() == null
                && filter.guestDeviceMac() == null
                && filter.startTime() == null
                && filter.endTime() == null
                && filter.yasId() == null;
    }
}
