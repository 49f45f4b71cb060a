package captiva.tenancy.apikeys;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.ratelimit.RateLimitDecision;
import captiva.ratelimit.RateLimitProperties;
import captiva.ratelimit.RateLimiter;
import captiva.tenancy.TenantScope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteInfo;
import io.micronaut.web.router.UriRouteInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guards every endpoint marked {@link RequiresScope}: finds the API key, checks its scope, rate
 * limits it per endpoint, and hands the key's {@link TenantScope} to the controller. Every answer
 * of such an endpoint carries the X-RateLimit headers.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
class ApiKeyFilter implements Ordered {

    static final String SCOPE_ATTRIBUTE = "captiva.tenantScope";
    static final String KEY_ATTRIBUTE = "captiva.callingKey";
    private static final String DECISION_ATTRIBUTE = "captiva.rateLimitDecision";
    private static final String BUCKET_ATTRIBUTE = "captiva.rateLimitBucket";
    private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

    private final LiveApiKeys liveKeys;
    private final ApiKeyRepository keys;
    private final RateLimiter rateLimiter;
    private final RateLimitProperties limits;
    private final AuthenticationFailures failures;
    private final Clock clock;
    private final MeterRegistry meters;
    private final OpaqueIds ids;
    private final Map<Long, Instant> lastUsedWritten = new ConcurrentHashMap<>();

    ApiKeyFilter(
            LiveApiKeys liveKeys,
            ApiKeyRepository keys,
            RateLimiter rateLimiter,
            RateLimitProperties limits,
            AuthenticationFailures failures,
            Clock clock,
            MeterRegistry meters,
            OpaqueIds ids) {
        this.liveKeys = liveKeys;
        this.keys = keys;
        this.rateLimiter = rateLimiter;
        this.limits = limits;
        this.failures = failures;
        this.clock = clock;
        this.meters = meters;
        this.ids = ids;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        Optional<RouteInfo<?>> route = RouteAttributes.getRouteInfo(request);
        Optional<Scope> required =
                route.flatMap(
                        r -> r.getAnnotationMetadata().enumValue(RequiresScope.class, Scope.class));
        if (required.isEmpty()) {
            return null;
        }
        HttpResponse<?> limited = failures.refuseWhileLimited(request);
        if (limited != null) {
            return limited;
        }
        Optional<LiveApiKeys.Live> key = presentedKey(request).flatMap(liveKeys::find);
        if (key.isEmpty()) {
            return rejectAuthentication(request);
        }
        LiveApiKeys.Live apiKey = key.get();
        if (Arrays.stream(apiKey.scopes()).noneMatch(required.get().wireName()::equals)) {
            return new ApiProblem.MissingScope(required.get().wireName()).toResponse();
        }
        Bucket bucket =
                new Bucket(
                        "key:" + apiKey.id() + " " + endpoint(route.get()),
                        perMinute(apiKey, route.get()));
        RateLimitDecision decision = rateLimiter.tryConsume(bucket.name(), bucket.perMinute());
        request.setAttribute(DECISION_ATTRIBUTE, decision);
        request.setAttribute(BUCKET_ATTRIBUTE, bucket);
        if (!decision.allowed()) {
            // Tagged with the tenant's public id: which customer runs into its limit is the
            // question ops ask.
            meters.counter(
                            AuthenticationFailures.REJECTED_METRIC,
                            "tenant",
                            ids.encode(OpaqueIds.Kind.TENANT, apiKey.tenantId()))
                    .increment();
            return withRateLimitHeaders(
                    new ApiProblem.TooManyRequests(decision.retryAfterSeconds()).toResponse(),
                    decision);
        }
        recordUse(apiKey);
        Set<Long> locations = apiKey.locationIds() == null ? null : Set.of(apiKey.locationIds());
        request.setAttribute(SCOPE_ATTRIBUTE, new TenantScope(apiKey.tenantId(), locations));
        request.setAttribute(KEY_ATTRIBUTE, new CallingKey(apiKey.id()));
        return null;
    }

    @ResponseFilter
    void addRateLimitHeaders(HttpRequest<?> request, MutableHttpResponse<?> response) {
        request.getAttribute(DECISION_ATTRIBUTE, RateLimitDecision.class)
                .map(d -> giveBackIfUnavailable(request, response, d))
                .filter(d -> !response.getHeaders().contains("X-RateLimit-Limit"))
                .ifPresent(d -> withRateLimitHeaders(response, d));
    }

    /**
     * A request refused with 503 (no wide-read slot free, the database unreachable) did no work:
     * its token goes back, so that a refused export does not cost the key its export of the minute.
     */
    private RateLimitDecision giveBackIfUnavailable(
            HttpRequest<?> request, MutableHttpResponse<?> response, RateLimitDecision decision) {
        Optional<Bucket> bucket = request.getAttribute(BUCKET_ATTRIBUTE, Bucket.class);
        if (response.code() != HttpStatus.SERVICE_UNAVAILABLE.getCode()
                || !decision.allowed()
                || bucket.isEmpty()) {
            return decision;
        }
        rateLimiter.giveBack(bucket.get().name(), bucket.get().perMinute());
        return new RateLimitDecision(
                true,
                decision.limit(),
                Math.min(decision.limit(), decision.remaining() + 1),
                decision.resetSeconds(),
                0);
    }

    @Override
    public int getOrder() {
        return 100;
    }

    private static Optional<String> presentedKey(HttpRequest<?> request) {
        Optional<String> header = request.getHeaders().get("X-API-Key", String.class);
        if (header.isPresent()) {
            return header;
        }
        return AuthenticationFailures.bearerToken(request);
    }

    private HttpResponse<?> rejectAuthentication(HttpRequest<?> request) {
        boolean presented =
                request.getHeaders().contains("X-API-Key")
                        || request.getHeaders().contains(HttpHeaders.AUTHORIZATION);
        if (!presented) {
            return failures.reject(
                    request, "An API key is required: Authorization: Bearer <key> or X-API-Key.");
        }
        boolean withoutScheme =
                !request.getHeaders().contains("X-API-Key")
                        && AuthenticationFailures.bearerToken(request).isEmpty();
        return failures.reject(
                request,
                withoutScheme
                        ? "The Authorization header must name its scheme: send Authorization: Bearer <key> (or X-API-Key: <key>)."
                        : "The API key is not valid.");
    }

    /** last_used_at is informational: write it at most once a minute per key, not on every read. */
    private void recordUse(LiveApiKeys.Live key) {
        Instant now = clock.instant();
        Instant written = lastUsedWritten.get(key.id());
        if (written == null || written.plus(LAST_USED_PRECISION).isBefore(now)) {
            lastUsedWritten.put(key.id(), now);
            keys.markUsed(key.id(), now);
        }
    }

    /**
     * The key's own limit, capped on export and session-control endpoints: a key allowed many reads
     * is not allowed many exports, nor many disconnects.
     */
    private int perMinute(LiveApiKeys.Live key, RouteInfo<?> route) {
        if (route.getAnnotationMetadata().hasAnnotation(ExportRateLimit.class)) {
            return Math.min(key.rateLimitPerMinute(), limits.exportPerMinute());
        }
        if (route.getAnnotationMetadata().hasAnnotation(ControlRateLimit.class)) {
            return Math.min(key.rateLimitPerMinute(), limits.controlPerMinute());
        }
        return key.rateLimitPerMinute();
    }

    /** The bucket's name: the path template, so HEAD and GET of one endpoint share a bucket. */
    private static String endpoint(RouteInfo<?> route) {
        return route instanceof UriRouteInfo<?, ?> uri
                ? uri.getUriMatchTemplate().toString()
                : route.toString();
    }

    private static MutableHttpResponse<?> withRateLimitHeaders(
            MutableHttpResponse<?> response, RateLimitDecision d) {
        return response.header("X-RateLimit-Limit", Integer.toString(d.limit()))
                .header("X-RateLimit-Remaining", Long.toString(d.remaining()))
                .header("X-RateLimit-Reset", Long.toString(d.resetSeconds()));
    }

    /** The rate-limit bucket a request took its token from. */
    private record Bucket(String name, int perMinute) {}
}
