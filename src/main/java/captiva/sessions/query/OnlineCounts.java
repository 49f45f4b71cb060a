package captiva.sessions.query;

import captiva.common.Ticker;
import captiva.common.paging.Count;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.tenancy.TenantScope;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET /sessions/count as dashboards poll it all day: who is online, for the whole tenant or one
 * venue. Such a count is shared for {@code captiva.sessions.online-count-max-age} (1 s; 0 turns the
 * sharing off) by every asker of the same tenant, key's venues and venue on this instance.
 *
 * <p>A count nobody holds is computed by its first asker on the asker's own thread; askers
 * meanwhile wait for that computation's future, and no lock is held while the database counts, so
 * callers of other counts are never held (a loading cache's compute would hold a map bin for the
 * whole query).
 *
 * <p>A count still asked for near the end of its max age is taken again in the background ({@link
 * #refreshLead}), and askers keep getting the count they share until the new one is in. So a venue
 * that dashboards poll all day is counted about once per max age and none of them waits for the
 * database: the busiest venue's count takes tens of milliseconds at 10,000,000 sessions
 * (BENCHMARKS.md), which one asker a second used to wait for. Any other filter is counted afresh.
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
     * at the start and end of its computation: its age runs from the start, not from when the
     * database answered.
     */
    private record Computed(Count count, Instant at, long startedNanos, long tookNanos) {}

    /**
     * How long before a shared count reaches its max age it is taken again: twice what it took last
     * time, so that the new count is usually in before the old one expires, and at least a tenth of
     * the max age, so that a count taken quickly is not left to expire first. A continuously polled
     * venue is then counted once per max age less this lead.
     */
    static long refreshLead(long maxAgeNanos, long tookNanos) {
        return Math.min(maxAgeNanos / 2, Math.max(maxAgeNanos / 10, 2 * tookNanos));
    }

    private static final Logger LOG = LoggerFactory.getLogger(OnlineCounts.class);

    private final SessionSearch search;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration maxAge;
    private final @Nullable AsyncCache<Asked, Computed> counts;

    /** The counts being taken again in the background, at most one per key. */
    private final Map<Asked, CompletableFuture<Computed>> refreshing = new ConcurrentHashMap<>();

    private final Executor background;
    private final Counter refreshed;

    OnlineCounts(
            SessionSearch search,
            SessionProperties properties,
            Clock clock,
            Ticker ticker,
            MeterRegistry meters,
            @Named(TaskExecutors.BLOCKING) ExecutorService background) {
        this.search = search;
        this.clock = clock;
        this.ticker = ticker;
        this.background = background;
        this.refreshed =
                Counter.builder("captiva.sessions.online_counts.refreshed")
                        .description(
                                "Online counts taken again in the background before their max age")
                        .register(meters);
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
        refreshIfDue(asked, computed, scope, filter);
        return computed.count();
    }

    /**
     * Takes the count again in the background once it is within its refresh lead of the max age,
     * unless that is under way. The new count replaces the old in the cache when it is in; an asker
     * who finds the old one expired before that waits for the new one instead of counting too.
     */
    private void refreshIfDue(
            Asked asked, Computed computed, TenantScope scope, SessionFilter filter) {
        long age = ticker.nanos() - computed.startedNanos();
        if (age < maxAge.toNanos() - refreshLead(maxAge.toNanos(), computed.tookNanos())) {
            return;
        }
        CompletableFuture<Computed> next = new CompletableFuture<>();
        if (refreshing.putIfAbsent(asked, next) != null) {
            return;
        }
        try {
            background.execute(
                    () -> {
                        try {
                            next.complete(compute(scope, filter));
                            counts.put(asked, next);
                            refreshed.increment();
                        } catch (RuntimeException | Error e) {
                            // The old count expires as it would have; the next asker counts again.
                            next.completeExceptionally(e);
                            LOG.warn("Taking an online count again failed: {}", e.toString());
                        } finally {
                            refreshing.remove(asked, next);
                        }
                    });
        } catch (RejectedExecutionException e) {
            refreshing.remove(asked, next); // shutting down
        }
    }

    /**
     * The count being computed or computed young enough; else computed here, on the caller's
     * thread.
     */
    private CompletableFuture<Computed> shared(
            Asked asked, TenantScope scope, SessionFilter filter) {
        CompletableFuture<Computed> mine = new CompletableFuture<>();
        CompletableFuture<Computed> found =
                counts.get(asked, (a, executor) -> refreshing.getOrDefault(a, mine));
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
        Count count = search.count(scope, filter);
        return new Computed(count, at, started, ticker.nanos() - started);
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
