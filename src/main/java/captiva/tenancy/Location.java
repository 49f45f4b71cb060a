package captiva.tenancy;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.DateCreated;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * A venue of a tenant; its IANA time zone drives the {@code *_formatted} fields and date-only
 * filters.
 */
@MappedEntity("location")
public record Location(
        @Id @GeneratedValue @Nullable Long id,
        Long tenantId,
        String name,
        String timeZone,
        @DateCreated @Nullable Instant createdAt) {}
