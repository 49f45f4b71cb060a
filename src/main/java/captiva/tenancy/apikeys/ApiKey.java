package captiva.tenancy.apikeys;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.DateCreated;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.TypeDef;
import io.micronaut.data.model.DataType;
import java.time.Instant;

/**
 * A tenant's API key. Only the SHA-256 of the key is kept; {@code keyPrefix} (the first characters)
 * lets people tell keys apart in lists without exposing them.
 *
 * @param locationIds the only locations the key may see, or null for all
 */
@MappedEntity("api_key")
public record ApiKey(
        @Id @GeneratedValue @Nullable Long id,
        Long tenantId,
        String name,
        byte[] keyHash,
        String keyPrefix,
        @TypeDef(type = DataType.STRING_ARRAY) String[] scopes,
        @TypeDef(type = DataType.LONG_ARRAY) @Nullable Long[] locationIds,
        int rateLimitPerMinute,
        @DateCreated @Nullable Instant createdAt,
        @Nullable Instant lastUsedAt,
        @Nullable Instant revokedAt) {}
