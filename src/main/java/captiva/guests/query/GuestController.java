package captiva.guests.query;

import captiva.common.OpaqueIds;
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

/** GET /guests and /guests/count: a tenant's guests with their visit numbers, for read keys. */
@Controller("/guests")
@RequiresScope(Scope.SESSIONS_READ)
@ExecuteOn(TaskExecutors.BLOCKING)
class GuestController {

    private final GuestSearch search;
    private final OpaqueIds ids;

    GuestController(GuestSearch search, OpaqueIds ids) {
        this.search = search;
        this.ids = ids;
    }

    @Get
    GuestPage list(TenantScope scope, HttpRequest<?> request) {
        List<InvalidParam> errors = new ArrayList<>();
        GuestFilter filter = GuestFilter.parse(request.getParameters(), ids, errors);
        PageRequest page = PageRequest.parseUnordered(request.getParameters(), errors);
        ApiProblem.InvalidParameters.failOn(errors);
        return search.page(
                scope, filter, page, PageLinks.of(request, GuestFilter.REPEATED_IN_LINKS));
    }

    @Get("/count")
    Count count(TenantScope scope, HttpRequest<?> request) {
        List<InvalidParam> errors = new ArrayList<>();
        GuestFilter filter = GuestFilter.parse(request.getParameters(), ids, errors);
        PageRequest.parseUnordered(
                request.getParameters(), errors); // accepted, as on /sessions/count, and checked
        ApiProblem.InvalidParameters.failOn(errors);
        return search.count(scope, filter);
    }
}
