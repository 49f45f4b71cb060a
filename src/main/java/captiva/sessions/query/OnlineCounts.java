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

import java.util.Set;

/**
 * GET /sessions/count as dashboards poll it all day: who is online, for the whole tenant or one
 * venue. Such a count is computed at most once per {@code captiva.sessions.online-count-max-age}
 * (1 s) for each tenant, key's venues and venue on this instance, whoever asks: callers asking for
 * one count while it is computed wait for that one computation (Caffeine loads a key once), and
 * callers of other counts are not held. Any other filter is counted afresh.
 */
@Singleton
class OnlineCounts {

    /** Whose count: the key's venues are part of it, so a restricted key never reads a wider count. */
    private record Asked(long tenantId, @Nullable Set<Long> keyLocations, @Nullable Long locationId) {
    }

    private final SessionSearch search;
    private final Cache<Asked, Count> counts;

    OnlineCounts(SessionSearch search, SessionProperties properties, Ticker ticker, MeterRegistry meters) {
        this.search = search;
        this.counts = Caffeine.newBuilder()
                .expireAfterWrite(properties.onlineCountMaxAge())
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
        return counts.get(new Asked(scope.tenantId(), scope.locationIds(), filter.locationId()), asked -> search.count(scope, filter));
    }

    private static boolean onlineOnly(SessionFilter filter) {
        return Boolean.TRUE.equals(filter.online()) && !filter.matchesNothing() && filter.guestId() == null
                && filter.guestDeviceMac() == null && filter.startTime() == null && filter.endTime() == null
                && filter.yasId() == null;
    }
}
