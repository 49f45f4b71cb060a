package captiva.statistics;

import captiva.common.OpaqueIds;
import captiva.common.WideReads;
import captiva.common.paging.PageRequest;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.QueryParams;
import captiva.sessions.query.SessionFilter;
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

/** GET /sessions/statistics: the filters of GET /sessions, plus {@code group_by}. */
@Controller("/sessions/statistics")
@RequiresScope(Scope.SESSIONS_READ)
@ExecuteOn(TaskExecutors.BLOCKING)
class StatisticsController {

    private final SessionStatistics statistics;
    private final OpaqueIds ids;
    private final WideReads wideReads;

    StatisticsController(SessionStatistics statistics, OpaqueIds ids, WideReads wideReads) {
        this.statistics = statistics;
        this.wideReads = wideReads;
        this.ids = ids;
    }

    @Get
    StatisticsReport statistics(TenantScope scope, HttpRequest<?> request) {
        List<InvalidParam> errors = new ArrayList<>();
        SessionFilter filter = SessionFilter.parse(request.getParameters(), ids, errors);
        PageRequest.refuse(request.getParameters(), "statistics cover the whole selection", errors);
        GroupBy groupBy = null;
        String groupText = QueryParams.single(request.getParameters(), "group_by", errors);
        if (groupText != null) {
            groupBy = GroupBy.parse(groupText).orElse(null);
            if (groupBy == null) {
                errors.add(new InvalidParam("group_by", "must be location, day or hour"));
            }
        }
        ApiProblem.InvalidParameters.failOn(errors);
        try (WideReads.Permit permit = wideReads.start()) {
            return statistics.report(scope, filter, groupBy);
        }
    }
}
