package captiva.sessions.export;

import captiva.common.OpaqueIds;
import captiva.common.WideReads;
import captiva.common.paging.PageRequest;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.sessions.SessionFilter;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.ExportRateLimit;
import captiva.tenancy.apikeys.RequiresScope;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * GET /sessions/export: every session GET /sessions would list for the same filters, oldest first,
 * with no page limit, as CSV or JSON lines, streamed as it is read.
 */
@Controller("/sessions/export")
@RequiresScope(Scope.SESSIONS_READ)
@ExportRateLimit
@ExecuteOn(TaskExecutors.BLOCKING)
class SessionExportController {

    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final SessionExport export;
    private final OpaqueIds ids;
    private final Clock clock;
    private final WideReads wideReads;

    SessionExportController(SessionExport export, OpaqueIds ids, Clock clock, WideReads wideReads) {
        this.export = export;
        this.wideReads = wideReads;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * For routing, any type is produced: the method negotiates itself, so that q-values and the 406
     * follow RFC 9110 and a 401 or 403 comes first. JSON is named too, else a client accepting only
     * JSON would be routed to /sessions/{ip_address} with "export" as the address.
     */
    @Get
    @Produces({MediaType.ALL, MediaType.APPLICATION_JSON})
    HttpResponse<Flux<byte[]>> export(TenantScope scope, HttpRequest<?> request) {
        String accept = String.join(",", request.getHeaders().getAll(HttpHeaders.ACCEPT));
        ExportFormat format =
                ExportFormat.negotiate(accept)
                        .orElseThrow(
                                () ->
                                        new ApiProblem.NotAcceptable(
                                                accept, ExportFormat.MEDIA_TYPES));
        List<InvalidParam> errors = new ArrayList<>();
        SessionFilter filter = SessionFilter.parse(request.getParameters(), ids, errors);
        PageRequest.refuse(
                request.getParameters(),
                "an export is every matching session, oldest first",
                errors);
        ApiProblem.InvalidParameters.failOn(errors);
        String filename = "sessions-" + FILE_TIME.format(clock.instant()) + "." + format.extension;
        Flux<byte[]> body;
        if (request.getMethod() == HttpMethod.HEAD) {
            body = Flux.empty(); // headers only: nothing is read, and a permit would never be
            // given back
        } else {
            // Held until the stream ends, however it ends: completed, failed, or the client gone.
            // On completion or failure it is given back before the end is passed on to be
            // written, so a client that has read the whole export can start the next one; after
            // it (doFinally) the client could see the end first and be refused its next export.
            WideReads.Permit permit = wideReads.start(scope.tenantId());
            body =
                    export.stream(scope, filter, format)
                            .doOnTerminate(permit::close)
                            .doFinally(signal -> permit.close());
        }
        return HttpResponse.ok(body)
                .contentType(
                        format.mediaType
                                + (format == ExportFormat.CSV
                                        ? "; charset=utf-8; header=present"
                                        : ""))
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        "attachment; filename=\"" + filename + "\"");
    }
}
