package captiva.events.webhooks;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.tenancy.TenantRepository;
import captiva.tenancy.TenantScope;
import jakarta.inject.Singleton;

/**
 * The tenant an admin path names, as a scope of the whole tenant; 404 when there is no such tenant.
 */
@Singleton
class AdminTenants {

    private final OpaqueIds ids;
    private final TenantRepository tenants;

    AdminTenants(OpaqueIds ids, TenantRepository tenants) {
        this.ids = ids;
        this.tenants = tenants;
    }

    TenantScope scope(String publicId) {
        return ids.decode(OpaqueIds.Kind.TENANT, publicId).stream()
                .boxed()
                .findFirst()
                .filter(tenants::existsById)
                .map(TenantScope::wholeTenant)
                .orElseThrow(() -> new ApiProblem.NotFound("Tenant " + publicId));
    }
}
