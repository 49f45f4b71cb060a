package captiva.tenancy;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.DateCreated;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** An operator organisation; its time zone applies to date filters that name no location. */
@MappedEntity("tenant")
public record Tenant(@Id @GeneratedValue @Nullable Long id, String name, String timeZone,
                     @DateCreated @Nullable Instant createdAt) {
}
