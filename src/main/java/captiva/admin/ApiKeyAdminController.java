package captiva.admin;

import captiva.admin.AdminViews.ApiKeyView;
import captiva.admin.AdminViews.NewApiKey;
import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.ratelimit.RateLimitProperties;
import captiva.tenancy.LocationIdsParameter;
import captiva.tenancy.Tenant;
import captiva.tenancy.apikeys.ApiKey;
import captiva.tenancy.apikeys.ApiKeyGenerator;
import captiva.tenancy.apikeys.ApiKeyRepository;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** Platform admin: a tenant's API keys. The key itself is shown once, when it is created. */
@Controller("/admin/tenants/{tenant_id}/api-keys")
@ExecuteOn(TaskExecutors.BLOCKING)
class ApiKeyAdminController {

    static final int MAX_RATE_LIMIT = 1_000_000;

    private final ApiKeyRepository keys;
    private final LocationIdsParameter locationIdsParameter;
    private final ApiKeyGenerator generator;
    private final AdminChecks checks;
    private final OpaqueIds ids;
    private final RateLimitProperties limits;
    private final Clock clock;

    ApiKeyAdminController(
            ApiKeyRepository keys,
            LocationIdsParameter locationIdsParameter,
            ApiKeyGenerator generator,
            AdminChecks checks,
            OpaqueIds ids,
            RateLimitProperties limits,
            Clock clock) {
        this.keys = keys;
        this.locationIdsParameter = locationIdsParameter;
        this.generator = generator;
        this.checks = checks;
        this.ids = ids;
        this.limits = limits;
        this.clock = clock;
    }

    @Post
    @Status(HttpStatus.CREATED)
    ApiKeyView create(@PathVariable("tenant_id") String tenantId, @Body NewApiKey body) {
        Tenant tenant = checks.tenant(tenantId);
        List<InvalidParam> errors = new ArrayList<>();
        AdminChecks.name(body.name(), errors);
        Set<String> scopes = new LinkedHashSet<>();
        if (body.scopes() == null || body.scopes().isEmpty()) {
            errors.add(new InvalidParam("scopes", "is required: one or more of " + Scope.known()));
        } else {
            for (String scope : body.scopes()) {
                if (Scope.fromWireName(scope).isPresent()) {
                    scopes.add(scope);
                } else {
                    errors.add(
                            new InvalidParam(
                                    "scopes",
                                    "unknown scope '" + scope + "'; known: " + Scope.known()));
                }
            }
        }
        Long[] locationIds =
                locationIdsParameter.parse(tenant.id(), id -> true, body.locationIds(), errors);
        int perMinute =
                body.rateLimitPerMinute() == null
                        ? limits.defaultPerMinute()
                        : body.rateLimitPerMinute();
        if (perMinute < 1 || perMinute > MAX_RATE_LIMIT) {
            errors.add(
                    new InvalidParam(
                            "rate_limit_per_minute", "must be from 1 to " + MAX_RATE_LIMIT));
        }
        ApiProblem.InvalidParameters.failOn(errors);
        String key = generator.newKey();
        ApiKey saved =
                keys.save(
                        new ApiKey(
                                null,
                                tenant.id(),
                                body.name().strip(),
                                ApiKeyGenerator.hash(key),
                                ApiKeyGenerator.displayPrefix(key),
                                scopes.toArray(String[]::new),
                                locationIds,
                                perMinute,
                                null,
                                null,
                                null));
        // Read back, so created_at is the stored value (microseconds), the same as lists show.
        return view(keys.findById(saved.id()).orElseThrow(), key);
    }

    @Get
    List<ApiKeyView> list(@PathVariable("tenant_id") String tenantId) {
        Tenant tenant = checks.tenant(tenantId);
        return keys.findByTenantIdOrderById(tenant.id()).stream().map(k -> view(k, null)).toList();
    }

    /**
     * Revokes the key: the next request with it is refused, as keys are looked up on every request.
     */
    @Delete("/{key_id}")
    @Status(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable("tenant_id") String tenantId, @PathVariable("key_id") String keyId) {
        Tenant tenant = checks.tenant(tenantId);
        OptionalLong id = ids.decode(OpaqueIds.Kind.API_KEY, keyId);
        if (id.isEmpty() || keys.revoke(tenant.id(), id.getAsLong(), clock.instant()) == 0) {
            throw new ApiProblem.NotFound("API key " + keyId);
        }
    }

    private ApiKeyView view(ApiKey k, @Nullable String clearKey) {
        List<String> locationIds =
                k.locationIds() == null
                        ? null
                        : Arrays.stream(k.locationIds())
                                .map(id -> ids.encode(OpaqueIds.Kind.LOCATION, id))
                                .toList();
        return new ApiKeyView(
                ids.encode(OpaqueIds.Kind.API_KEY, k.id()),
                k.name(),
                clearKey,
                k.keyPrefix(),
                List.of(k.scopes()),
                locationIds,
                k.rateLimitPerMinute(),
                k.createdAt(),
                k.lastUsedAt(),
                k.revokedAt());
    }
}
