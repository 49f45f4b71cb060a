package captiva.sessions.query;

import captiva.common.Ticker;
import captiva.common.paging.Count;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.tenancy.TenantScope;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * GET /sessions/count as dashboards poll it all day: who is online, for the whole tenant or one
 * venue. Such a count is computed at most once per {@code captiva.sessions.online-count-max-age} (1
 * s) for each tenant, key's venues and venue on this instance, whoever asks: callers asking for one
 * count while it is computed wait for that one computation (Caffeine loads a key once), and callers
 * of other counts are not held. Any other filter is counted afresh.
 */
@Singleton
class OnlineCounts {

    /**
     * Whose count: the key's venues are part of it, so a restricted key never reads a wider count.
     */
    private record Asked(
            long tenantId, @Nullable Set<Long> keyLocations, @Nullable Long locationId) {}

    /** A count and the instant it was taken at, by the clock that decides who is online. */
    private record Computed(Count count, Instant at) {}

    private final SessionSearch search;
    private final Clock clock;
    private final Duration maxAge;
    private final Cache<Asked, Computed> counts;

    OnlineCounts(
            SessionSearch search,
            SessionProperties properties,
            Clock clock,
            Ticker ticker,
            MeterRegistry meters) {
        this.search = search;
        this.clock = clock;
        this.maxAge = properties.onlineCountMaxAge();
        this.counts =
                Caffeine.newBuilder()
                        .expireAfterWrite(maxAge)
                        .maximumSize(100_000)
                        .ticker(ticker::nanos)
                        .recordStats()
                        .build();
        CaffeineCacheMetrics.monitor(meters, counts, "online_counts");
    }

    Count count(TenantScope scope, SessionFilter filter) {
        if (!onlineOnly(filter)) {
            return search.count(scope, filter);
        }
        Asked asked = new Asked(scope.tenantId(), scope.locationIds(), filter.locationId());
        Computed computed = counts.get(asked, a -> compute(scope, filter));
        // Expiry follows elapsed time; a clock that stepped since (NTP, or a test moving it) makes
        // the count's instant too far from now either way, and it is taken again.
        if (Duration.between(computed.at(), clock.instant()).abs().compareTo(maxAge) >= 0) {
            counts.asMap().remove(asked, computed);
            computed = counts.get(asked, a -> compute(scope, filter));
        }
        return computed.count();
    }

    private Computed compute(TenantScope scope, SessionFilter filter) {
        Instant at = clock.instant();
        return new Computed(search.count(scope, filter), at);
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
