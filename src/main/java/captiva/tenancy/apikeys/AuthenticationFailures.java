package captiva.tenancy.apikeys;

import captiva.common.problem.ApiProblem;
import captiva.ratelimit.RateLimitDecision;
import captiva.ratelimit.RateLimitProperties;
import captiva.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import jakarta.inject.Singleton;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Answers failed authentications, API key or admin token alike. Each failure costs the client
 * address a token of its own bucket, so credentials cannot be guessed at speed.
 */
@Singleton
public class AuthenticationFailures {

    /** Requests answered 429 by a rate limit, tagged by tenant ({@code unauthenticated} for failed logins). */
    static final String REJECTED_METRIC = "captiva.rate_limit.rejected";

    private final RateLimiter rateLimiter;
    private final RateLimitProperties limits;
    private final MeterRegistry meters;

    AuthenticationFailures(RateLimiter rateLimiter, RateLimitProperties limits, MeterRegistry meters) {
        this.rateLimiter = rateLimiter;
        this.limits = limits;
        this.meters = meters;
    }

    /** A 401 problem with this detail, or a 429 once the address has failed too often. */
    public HttpResponse<?> reject(HttpRequest<?> request, String detail) {
        RateLimitDecision decision = rateLimiter.tryConsume("auth:" + clientAddress(request), limits.failedAuthPerMinute());
        if (!decision.allowed()) {
            meters.counter(REJECTED_METRIC, "tenant", "unauthenticated").increment();
            return new ApiProblem.TooManyRequests(decision.retryAfterSeconds()).toResponse();
        }
        return new ApiProblem.Unauthenticated(detail).toResponse();
    }

    /** The token of an {@code Authorization: Bearer <token>} header, if there is one. */
    public static Optional<String> bearerToken(HttpRequest<?> request) {
        return request.getHeaders().getAuthorization()
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim());
    }

    private static String clientAddress(HttpRequest<?> request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
    }
}
