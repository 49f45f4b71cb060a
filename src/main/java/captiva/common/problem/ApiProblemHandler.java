package captiva.common.problem;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Writes an {@link ApiProblem} as {@code application/problem+json} with its status and headers. */
@Produces(Problem.MEDIA_TYPE)
@Singleton
class ApiProblemHandler implements ExceptionHandler<ApiProblem, HttpResponse<Problem>> {

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, ApiProblem problem) {
        return problem.toResponse();
    }
}
