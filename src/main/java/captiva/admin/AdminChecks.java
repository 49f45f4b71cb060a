package captiva.admin;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.tenancy.Location;
import captiva.tenancy.LocationRepository;
import captiva.tenancy.Tenant;
import captiva.tenancy.TenantRepository;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

/** Validation shared by the admin controllers: path ids to rows, and the fields every body has. */
@Singleton
class AdminChecks {

    static final int MAX_NAME = 200;

    private final OpaqueIds ids;
    private final TenantRepository tenants;
    private final LocationRepository locations;

    AdminChecks(OpaqueIds ids, TenantRepository tenants, LocationRepository locations) {
        this.ids = ids;
        this.tenants = tenants;
        this.locations = locations;
    }

    Tenant tenant(String publicId) {
        return ids.decode(OpaqueIds.Kind.TENANT, publicId).stream()
                .boxed()
                .findFirst()
                .flatMap(tenants::findById)
                .orElseThrow(() -> new ApiProblem.NotFound("Tenant " + publicId));
    }

    Location location(Tenant tenant, String publicId) {
        return ids.decode(OpaqueIds.Kind.LOCATION, publicId).stream()
                .boxed()
                .findFirst()
                .flatMap(id -> locations.findByIdAndTenantId(id, tenant.id()))
                .orElseThrow(() -> new ApiProblem.NotFound("Location " + publicId));
    }

    static void name(@Nullable String name, List<InvalidParam> errors) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME) {
            errors.add(new InvalidParam("name", "is required, 1 to " + MAX_NAME + " characters"));
        }
    }

    static void timeZone(@Nullable String zone, List<InvalidParam> errors) {
        boolean valid = false;
        if (zone != null && zone.contains("/") || "UTC".equals(zone)) {
            try {
                ZoneId.of(zone);
                valid = true;
            } catch (DateTimeException unknown) {
                // reported below
            }
        }
        if (!valid) {
            errors.add(
                    new InvalidParam("time_zone", "must be an IANA time zone, like Europe/London"));
        }
    }
}
