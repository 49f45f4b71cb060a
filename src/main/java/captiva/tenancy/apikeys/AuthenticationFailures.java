package captiva.tenancy.apikeys;

import captiva.common.problem.ApiProblem;
import captiva.ratelimit.RateLimitDecision;
import captiva.ratelimit.RateLimitProperties;
import captiva.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers failed authentications, API key or admin token alike. Each failure costs the client
 * address a token of its own bucket, so credentials cannot be guessed at speed. Once the bucket is
 * empty, every attempt from the address is refused, right credentials too, until a token is back:
 * were a right guess still let through, the 429 would only tell a guesser that a guess was wrong,
 * at no cost to it.
 *
 * <p>Which addresses are limited is kept in this process (checking the shared bucket on every
 * request would cost the postgres store a round trip per request): behind N replicas, a limited
 * address gets at most one attempt through each replica that has not yet refused it.
 */
@Singleton
public class AuthenticationFailures {

    /**
     * Requests answered 429 by a rate limit, tagged by tenant ({@code unauthenticated} for failed
     * logins).
     */
    static final String REJECTED_METRIC = "captiva.rate_limit.rejected";

    private final RateLimiter rateLimiter;
    private final RateLimitProperties limits;
    private final MeterRegistry meters;
    private final Clock clock;

    /** Client addresses whose bucket is empty, and when it holds a token again. */
    private final Map<String, Instant> limitedUntil = new ConcurrentHashMap<>();

    AuthenticationFailures(
            RateLimiter rateLimiter,
            RateLimitProperties limits,
            MeterRegistry meters,
            Clock clock) {
        this.rateLimiter = rateLimiter;
        this.limits = limits;
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * A 429 problem while the address is limited, whatever it presents; null when it may
     * authenticate.
     */
    @Nullable
    public HttpResponse<?> refuseWhileLimited(HttpRequest<?> request) {
        String address = clientAddress(request);
        Instant until = limitedUntil.get(address);
        if (until == null) {
            return null;
        }
        Instant now = clock.instant();
        if (!now.isBefore(until)) {
            limitedUntil.remove(address, until);
            return null;
        }
        return tooManyRequests(Math.max(1, Duration.between(now, until).toSeconds()));
    }

    /** A 401 problem with this detail, or a 429 once the address has failed too often. */
    public HttpResponse<?> reject(HttpRequest<?> request, String detail) {
        String address = clientAddress(request);
        int perMinute = limits.failedAuthPerMinute();
        RateLimitDecision decision = rateLimiter.tryConsume("auth:" + address, perMinute);
        if (!decision.allowed()) {
            limitedUntil.put(address, clock.instant().plusSeconds(decision.retryAfterSeconds()));
            return tooManyRequests(decision.retryAfterSeconds());
        }
        if (decision.remaining() == 0) {
            // That was the last failure allowed: a token is back at the latest one refill interval
            // from now.
            limitedUntil.put(
                    address, clock.instant().plus(RateLimiter.WINDOW.dividedBy(perMinute)));
        }
        return new ApiProblem.Unauthenticated(detail).toResponse();
    }

    /** Forgets addresses whose limit has refilled, so the map holds only those limited now. */
    @Scheduled(fixedDelay = "1m")
    void forgetRefilled() {
        Instant now = clock.instant();
        limitedUntil.values().removeIf(until -> !now.isBefore(until));
    }

    private HttpResponse<?> tooManyRequests(long retryAfterSeconds) {
        meters.counter(REJECTED_METRIC, "tenant", "unauthenticated").increment();
        return new ApiProblem.TooManyRequests(retryAfterSeconds).toResponse();
    }

    /** The token of an {@code Authorization: Bearer <token>} header, if there is one. */
    public static Optional<String> bearerToken(HttpRequest<?> request) {
        return request.getHeaders()
                .getAuthorization()
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim());
    }

    private static String clientAddress(HttpRequest<?> request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote.getAddress() == null
                ? remote.getHostString()
                : remote.getAddress().getHostAddress();
    }
}
