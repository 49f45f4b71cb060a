package captiva.tenancy;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.DateCreated;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * An operator organisation; its time zone applies to date filters that name no location.
 *
 * @param retentionMonths how long its guests' sessions, logins and guest records are kept
 * @param endSupersededSessions whether a RADIUS Start for a device ends the device's other open
 *     sessions at the same NAS (a reconnect whose old session got no Stop); see docs/radius.md
 */
@MappedEntity("tenant")
public record Tenant(
        @Id @GeneratedValue @Nullable Long id,
        String name,
        String timeZone,
        int retentionMonths,
        boolean endSupersededSessions,
        @DateCreated @Nullable Instant createdAt) {

    /** Also the column's default, for tenants made before retention existed. */
    public static final int DEFAULT_RETENTION_MONTHS = 13;

    public static final int MAX_RETENTION_MONTHS = 120;
}
