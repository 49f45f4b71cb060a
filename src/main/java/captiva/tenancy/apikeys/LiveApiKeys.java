package captiva.tenancy.apikeys;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Finds the live key a request presents. One indexed query on every request, on purpose: a key
 * revoked through any replica is refused by all of them on its next request, so no cache may hide
 * it (RevocationAcrossReplicasTest). Plain JDBC and only the columns a request needs, because it
 * runs on every request: through the repository it cost more than the count it guarded
 * (BENCHMARKS.md).
 */
@Singleton
class LiveApiKeys {

    private static final String LIVE_KEY =
            """
            SELECT id, tenant_id, scopes, location_ids, rate_limit_per_minute
            FROM api_key WHERE key_hash = ? AND revoked_at IS NULL
            """;

    /** What a request is allowed, from its key. */
    record Live(
            long id,
            long tenantId,
            String[] scopes,
            @Nullable Long[] locationIds,
            int rateLimitPerMinute) {}

    private final JdbcOperations jdbc;

    LiveApiKeys(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Live> find(String presentedKey) {
        byte[] hash = ApiKeyGenerator.hash(presentedKey);
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(LIVE_KEY)) {
                        st.setBytes(1, hash);
                        try (ResultSet rs = st.executeQuery()) {
                            if (!rs.next()) {
                                return Optional.empty();
                            }
                            Array locations = rs.getArray("location_ids");
                            return Optional.of(
                                    new Live(
                                            rs.getLong("id"),
                                            rs.getLong("tenant_id"),
                                            (String[]) rs.getArray("scopes").getArray(),
                                            locations == null
                                                    ? null
                                                    : (Long[]) locations.getArray(),
                                            rs.getInt("rate_limit_per_minute")));
                        }
                    }
                });
    }
}
