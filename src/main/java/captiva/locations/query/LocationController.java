package captiva.locations.query;

import captiva.common.paging.Count;
import captiva.common.paging.PageLinks;
import captiva.common.paging.PageRequest;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;

/**
 * GET /locations and /locations/count: the venues a read key may see, so dashboards learn their
 * ids.
 */
@Controller("/locations")
@RequiresScope(Scope.SESSIONS_READ)
@ExecuteOn(TaskExecutors.BLOCKING)
class LocationController {

    private static final List<String> REPEATED_IN_LINKS = List.of("per_page");

    private final LocationSearch search;

    LocationController(LocationSearch search) {
        this.search = search;
    }

    @Get
    LocationPage list(TenantScope scope, HttpRequest<?> request) {
        return search.page(scope, pageOf(request), PageLinks.of(request, REPEATED_IN_LINKS));
    }

    @Get("/count")
    Count count(TenantScope scope, HttpRequest<?> request) {
        pageOf(request); // accepted, as on /sessions/count, and checked
        return search.count(scope);
    }

    private static PageRequest pageOf(HttpRequest<?> request) {
        List<InvalidParam> errors = new ArrayList<>();
        PageRequest page = PageRequest.parseUnordered(request.getParameters(), errors);
        ApiProblem.InvalidParameters.failOn(errors);
        return page;
    }
}
