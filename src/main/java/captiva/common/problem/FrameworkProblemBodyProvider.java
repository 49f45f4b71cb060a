package captiva.common.problem;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;

/**
 * Gives the errors Micronaut raises itself (unknown route, wrong method or content type, unreadable
 * body, server error) the same problem shape as ours. Server errors never carry a detail, so no
 * internals or stack traces leak.
 */
@Singleton
class FrameworkProblemBodyProvider implements JsonErrorResponseBodyProvider<Problem> {

    private static final int MAX_DETAIL = 300;

    @Override
    public Problem body(ErrorContext context, HttpResponse<?> response) {
        // A body field refused while it was read (StorableTextDeserializer) names itself.
        for (Throwable cause = context.getRootCause().orElse(null);
                cause != null;
                cause = cause.getCause()) {
            if (cause instanceof ApiProblem problem) {
                return problem.toProblem();
            }
        }
        HttpStatus status = response.getStatus();
        String detail = null;
        if (status.getCode() < 500) {
            detail = context.getErrors().stream().map(Error::getMessage).findFirst().orElse(null);
            if (detail != null && detail.length() > MAX_DETAIL) {
                detail = detail.substring(0, MAX_DETAIL) + "…";
            }
        }
        return new Problem("about:blank", status.getReason(), status.getCode(), detail, null);
    }

    @Override
    public String contentType() {
        return Problem.MEDIA_TYPE;
    }
}
