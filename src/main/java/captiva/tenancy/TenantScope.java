package captiva.tenancy;

import io.micronaut.core.annotation.Nullable;
import java.util.Set;

/**
 * Whose data a request may see: one tenant, and when the API key is restricted, only some of its
 * locations. The first parameter of every query method.
 *
 * @param locationIds the locations the key may see, or null for all of the tenant's
 */
public record TenantScope(long tenantId, @Nullable Set<Long> locationIds) {

    public static TenantScope wholeTenant(long tenantId) {
        return new TenantScope(tenantId, null);
    }

    public boolean maySee(long locationId) {
        return locationIds == null || locationIds.contains(locationId);
    }
}
