package captiva.statistics;

import captiva.common.OpaqueIds;
import captiva.common.WideReads;
import captiva.common.paging.PageRequest;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.DatabaseFailures;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.QueryParams;
import captiva.sessions.SessionFilter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GET /sessions/statistics: the filters of GET /sessions, plus {@code group_by}. */
@Controller("/sessions/statistics")
@RequiresScope(Scope.SESSIONS_READ)
@ExecuteOn(TaskExecutors.BLOCKING)
class StatisticsController {

    private static final Logger LOG = LoggerFactory.getLogger(StatisticsController.class);

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
        try (WideReads.Permit permit = wideReads.start(scope.tenantId())) {
            return statistics.report(scope, filter, groupBy);
        } catch (RuntimeException failure) {
            if (!DatabaseFailures.isCancelledStatement(failure)) {
                throw failure;
            }
            long seconds = statistics.queryTimeout().toSeconds();
            // Parameter names only: their values can be a guest's device or id.
            LOG.warn(
                    "Statistics cancelled after {} s for tenant {} (parameters {}): the selection is too wide for the time allowed",
                    seconds,
                    scope.tenantId(),
                    request.getParameters().names());
            throw new ApiProblem.TooWide(
                    "These statistics took longer than the "
                            + seconds
                            + " s a statistics request is allowed, and were cancelled. Narrow the selection"
                            + " (a shorter period, or one location) or ask for it in parts.");
        }
    }
}
