package captiva.admin;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.time.Instant;
import java.util.List;

/**
 * Request and response bodies of the admin API. Secrets never appear in a response, but for a new
 * key once.
 */
final class AdminViews {

    private AdminViews() {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record NewTenant(
            @Nullable String name,
            @Nullable String timeZone,
            @Nullable Integer retentionMonths,
            @Nullable Boolean endSupersededSessions) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record TenantView(
            String id,
            String name,
            String timeZone,
            int retentionMonths,
            boolean endSupersededSessions) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record NewLocation(@Nullable String name, @Nullable String timeZone) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record LocationView(String id, String name, String timeZone) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record NewNas(
            @Nullable String ipAddress,
            @Nullable String secret,
            @Nullable String identifier,
            @Nullable Boolean requireMessageAuthenticator,
            @Nullable String tlsIdentity,
            @Nullable String dasAddress,
            @Nullable Integer dasPort,
            @Nullable String dasSecret) {}

    /**
     * @param dasPort null, like {@code dasAddress}, when no Dynamic Authorization Server is
     *     registered; the secret is never shown
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record NasView(
            String id,
            String locationId,
            String ipAddress,
            @Nullable String identifier,
            boolean requireMessageAuthenticator,
            @Nullable String tlsIdentity,
            @Nullable String dasAddress,
            @Nullable Integer dasPort) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record NewApiKey(
            @Nullable String name,
            @Nullable List<String> scopes,
            @Nullable List<String> locationIds,
            @Nullable Integer rateLimitPerMinute) {}

    /**
     * @param key the key in clear: only in the answer that creates it, null in lists
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record ApiKeyView(
            String id,
            String name,
            @Nullable String key,
            String keyPrefix,
            List<String> scopes,
            @Nullable List<String> locationIds,
            int rateLimitPerMinute,
            Instant createdAt,
            @Nullable Instant lastUsedAt,
            @Nullable Instant revokedAt) {}

    /** Names the guest to erase: exactly one of the three. */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record GuestToErase(@Nullable String guestId, @Nullable String email, @Nullable String yasId) {}

    /**
     * What an erasure removed: guest records, their logins, and the sessions that no longer name
     * them.
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record ErasedGuest(int guests, int logins, int sessionsUnlinked) {}

    @Serdeable
    record ImportedIds(List<String> ids) {}
}
