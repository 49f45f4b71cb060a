package captiva.common.problem;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import java.util.List;
import java.util.Map;

/**
 * Stop handling the request and answer with a problem. Expected outcomes are values elsewhere;
 * these exceptions exist only to end a request with a clear 4xx.
 */
public abstract sealed class ApiProblem extends RuntimeException
        permits ApiProblem.InvalidParameters,
                ApiProblem.Unauthenticated,
                ApiProblem.MissingScope,
                ApiProblem.NotFound,
                ApiProblem.NotAcceptable,
                ApiProblem.Conflict,
                ApiProblem.TooManyRequests,
                ApiProblem.Busy,
                ApiProblem.TooWide,
                ApiProblem.Gone {

    private final HttpStatus status;

    private ApiProblem(HttpStatus status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }

    public List<Problem.InvalidParam> errors() {
        return List.of();
    }

    /** Headers the answer must carry, such as Retry-After. */
    public Map<String, String> headers() {
        return Map.of();
    }

    public Problem toProblem() {
        List<Problem.InvalidParam> errors = errors();
        return new Problem(
                "about:blank",
                status.getReason(),
                status.getCode(),
                getMessage(),
                errors.isEmpty() ? null : errors);
    }

    /** The whole answer: status, problem body and headers. */
    public MutableHttpResponse<Problem> toResponse() {
        MutableHttpResponse<Problem> response =
                HttpResponse.<Problem>status(status)
                        .contentType(Problem.MEDIA_TYPE)
                        .body(toProblem());
        headers().forEach(response::header);
        return response;
    }

    /** 400: one or more parameters or body fields were wrong; each is named. */
    public static final class InvalidParameters extends ApiProblem {
        private final List<Problem.InvalidParam> errors;

        public InvalidParameters(List<Problem.InvalidParam> errors) {
            super(
                    HttpStatus.BAD_REQUEST,
                    errors.size() == 1
                            ? "Parameter " + errors.get(0).name() + " is invalid."
                            : errors.size() + " parameters are invalid.");
            this.errors = List.copyOf(errors);
        }

        /**
         * Throws when any parameter was found invalid: every check of a request runs first, then
         * this.
         */
        public static void failOn(List<Problem.InvalidParam> errors) {
            if (!errors.isEmpty()) {
                throw new InvalidParameters(errors);
            }
        }

        public static InvalidParameters of(String name, String reason) {
            return new InvalidParameters(List.of(new Problem.InvalidParam(name, reason)));
        }

        @Override
        public List<Problem.InvalidParam> errors() {
            return errors;
        }
    }

    /** 401: no credentials, or credentials that match nothing. */
    public static final class Unauthenticated extends ApiProblem {
        public Unauthenticated(String detail) {
            super(HttpStatus.UNAUTHORIZED, detail);
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("WWW-Authenticate", "Bearer");
        }
    }

    /** 403: a valid key without the scope this endpoint needs. */
    public static final class MissingScope extends ApiProblem {
        public MissingScope(String scope) {
            super(HttpStatus.FORBIDDEN, "This API key lacks the scope " + scope + ".");
        }
    }

    /** 404: unknown, or belonging to another tenant, which must look the same. */
    public static final class NotFound extends ApiProblem {
        public NotFound(String what) {
            super(HttpStatus.NOT_FOUND, what + " was not found.");
        }
    }

    /**
     * 406: none of the media types the client accepts can be produced; the detail lists those that
     * can.
     */
    public static final class NotAcceptable extends ApiProblem {
        public NotAcceptable(String accept, List<String> produced) {
            super(
                    HttpStatus.NOT_ACCEPTABLE,
                    "Accept: "
                            + abbreviate(accept)
                            + " matches none of "
                            + String.join(", ", produced)
                            + ".");
        }

        private static String abbreviate(String text) {
            return text.length() <= 100 ? text : text.substring(0, 100) + "…";
        }
    }

    /** 409: the request clashes with existing state, such as a NAS address already registered. */
    public static final class Conflict extends ApiProblem {
        public Conflict(String detail) {
            super(HttpStatus.CONFLICT, detail);
        }
    }

    /**
     * 410: what the request points at existed but is no longer kept, such as a position past the
     * event log's retention.
     */
    public static final class Gone extends ApiProblem {
        public Gone(String detail) {
            super(HttpStatus.GONE, detail);
        }
    }

    /**
     * 503: this instance is at capacity for this kind of request; Retry-After says when to try
     * again.
     */
    public static final class Busy extends ApiProblem {
        public Busy(String detail) {
            super(HttpStatus.SERVICE_UNAVAILABLE, detail);
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("Retry-After", "5");
        }
    }

    /**
     * 503 without Retry-After: the question was cancelled after the time a statement is allowed.
     * Asking the same again would most likely be cancelled again, so the detail says to narrow it.
     */
    public static final class TooWide extends ApiProblem {
        public TooWide(String detail) {
            super(HttpStatus.SERVICE_UNAVAILABLE, detail);
        }
    }

    /** 429: the caller's bucket is empty; Retry-After says when a token is back. */
    public static final class TooManyRequests extends ApiProblem {
        private final long retryAfterSeconds;

        public TooManyRequests(long retryAfterSeconds) {
            this(retryAfterSeconds, "Rate limit exceeded; retry in " + retryAfterSeconds + " s.");
        }

        /**
         * A limit other than the request rate (such as open streams per key), said in {@code
         * detail}.
         */
        public TooManyRequests(long retryAfterSeconds, String detail) {
            super(HttpStatus.TOO_MANY_REQUESTS, detail);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("Retry-After", Long.toString(retryAfterSeconds));
        }
    }
}
