package captiva.tenancy;

import captiva.common.OpaqueIds;
import captiva.common.problem.Problem.InvalidParam;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * The {@code location_ids} of a request that limits what it creates to some of a tenant's venues
 * (an API key, a webhook endpoint): left out for all of them, otherwise at least one, each a
 * location of the tenant that the caller may see.
 */
@Singleton
public class LocationIdsParameter {

    private final OpaqueIds ids;
    private final LocationRepository locations;

    LocationIdsParameter(OpaqueIds ids, LocationRepository locations) {
        this.ids = ids;
        this.locations = locations;
    }

    /**
     * The locations named, in their order without repeats, or null when none were given. Each
     * public id that is not a location of the tenant, or one {@code visible} refuses, and an empty
     * list are added to {@code errors} instead.
     */
    @Nullable
    public Long[] parse(
            long tenantId,
            LongPredicate visible,
            @Nullable List<String> publicIds,
            List<InvalidParam> errors) {
        if (publicIds == null) {
            return null;
        }
        if (publicIds.isEmpty()) {
            errors.add(
                    new InvalidParam(
                            "location_ids",
                            "must name at least one location, or be left out for all"));
            return null;
        }
        Set<Long> found = new LinkedHashSet<>();
        for (String publicId : publicIds) {
            OptionalLong id = ids.decode(OpaqueIds.Kind.LOCATION, publicId);
            if (id.isEmpty()
                    || !visible.test(id.getAsLong())
                    || locations.findByIdAndTenantId(id.getAsLong(), tenantId).isEmpty()) {
                errors.add(
                        new InvalidParam(
                                "location_ids",
                                "'" + publicId + "' is not a location of this tenant"));
            } else {
                found.add(id.getAsLong());
            }
        }
        return found.toArray(Long[]::new);
    }
}
