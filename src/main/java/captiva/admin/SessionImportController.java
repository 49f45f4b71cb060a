package captiva.admin;

import captiva.admin.AdminViews.ImportedIds;
import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.sessions.ImportedSession;
import captiva.sessions.SessionImport;
import captiva.tenancy.Location;
import captiva.tenancy.LocationRepository;
import captiva.tenancy.Tenant;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Platform admin: complete session records for imports and tests, in the read API's names. */
@Controller("/admin/tenants/{tenant_id}/sessions")
@ExecuteOn(TaskExecutors.BLOCKING)
class SessionImportController {

    static final int MAX_RECORDS = 1000;

    private final SessionImport sessionImport;
    private final LocationRepository locations;
    private final AdminChecks checks;
    private final OpaqueIds ids;

    SessionImportController(
            SessionImport sessionImport,
            LocationRepository locations,
            AdminChecks checks,
            OpaqueIds ids) {
        this.sessionImport = sessionImport;
        this.locations = locations;
        this.checks = checks;
        this.ids = ids;
    }

    @Post
    @Status(HttpStatus.CREATED)
    ImportedIds create(
            @PathVariable("tenant_id") String tenantId, @Body List<ImportedSession> records) {
        Tenant tenant = checks.tenant(tenantId);
        if (records.isEmpty() || records.size() > MAX_RECORDS) {
            throw ApiProblem.InvalidParameters.of(
                    "body", "must be an array of 1 to " + MAX_RECORDS + " session records");
        }
        Set<Long> tenantLocations =
                locations.findByTenantIdOrderById(tenant.id()).stream()
                        .map(Location::id)
                        .collect(Collectors.toSet());
        List<Long> created = sessionImport.store(tenant.id(), tenantLocations, records);
        return new ImportedIds(
                created.stream().map(id -> ids.encode(OpaqueIds.Kind.SESSION, id)).toList());
    }
}
