package captiva.common.problem;

import io.micronaut.data.connection.jdbc.exceptions.CannotGetJdbcConnectionException;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.transaction.exceptions.TransactionException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers database failures as problems (see {@link DatabaseFailures}) instead of bare 500s. */
final class DatabaseFailureHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseFailureHandler.class);

    private DatabaseFailureHandler() {}

    static HttpResponse<Problem> answer(HttpRequest<?> request, RuntimeException failure) {
        Problem problem =
                DatabaseFailures.problem(failure)
                        .orElseGet(
                                () -> {
                                    LOG.error(
                                            "Database failure on {} {}",
                                            request.getMethodName(),
                                            request.getPath(),
                                            failure);
                                    return new Problem(
                                            "about:blank",
                                            HttpStatus.INTERNAL_SERVER_ERROR.getReason(),
                                            500,
                                            null,
                                            null);
                                });
        var response =
                HttpResponse.<Problem>status(HttpStatus.valueOf(problem.status()))
                        .contentType(Problem.MEDIA_TYPE)
                        .body(problem);
        return problem.status() == 503 ? response.header("Retry-After", "5") : response;
    }

    @Singleton
    @Produces(Problem.MEDIA_TYPE)
    static class DataAccess
            implements ExceptionHandler<DataAccessException, HttpResponse<Problem>> {
        @Override
        public HttpResponse<Problem> handle(HttpRequest request, DataAccessException failure) {
            return answer(request, failure);
        }
    }

    /** No pooled connection within the connection timeout: the database is down or saturated. */
    @Singleton
    @Produces(Problem.MEDIA_TYPE)
    static class NoConnection
            implements ExceptionHandler<CannotGetJdbcConnectionException, HttpResponse<Problem>> {
        @Override
        public HttpResponse<Problem> handle(
                HttpRequest request, CannotGetJdbcConnectionException failure) {
            return answer(request, failure);
        }
    }

    @Singleton
    @Produces(Problem.MEDIA_TYPE)
    static class Transaction
            implements ExceptionHandler<TransactionException, HttpResponse<Problem>> {
        @Override
        public HttpResponse<Problem> handle(HttpRequest request, TransactionException failure) {
            return answer(request, failure);
        }
    }
}
