package captiva.sessions;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.time.Instant;

/**
 * @param interimInterval how often NAS send Interim-Updates (Acct-Interim-Interval)
 * @param staleTimeout silence after which an open session no longer counts as online; by default
 *     two missed interims plus a minute of slack
 * @param onlineCountMaxAge how old an online count (GET /sessions/count?online=true, alone or with
 *     a venue) may be: dashboards polling one venue share one computation per this interval and
 *     instance; zero computes every count afresh
 */
@ConfigurationProperties("captiva.sessions")
public record SessionProperties(
        Duration interimInterval, @Nullable Duration staleTimeout, Duration onlineCountMaxAge) {

    public Duration onlineTimeout() {
        return staleTimeout != null
                ? staleTimeout
                : interimInterval.multipliedBy(2).plusSeconds(60);
    }

    /**
     * The cutoff of {@link Online} at {@code now}: a session heard from since is online unless
     * stopped.
     */
    public Instant onlineCutoff(Instant now) {
        return now.minus(onlineTimeout());
    }
}
