package captiva.common.problem;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.HtmlErrorResponseBodyProvider;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Micronaut answers clients that accept HTML (browsers) with an HTML error page. This is an API:
 * they get the same problem document as everyone else.
 */
@Singleton
class HtmlProblemBodyProvider implements HtmlErrorResponseBodyProvider {

    private final FrameworkProblemBodyProvider problems;
    private final JsonMapper json;

    HtmlProblemBodyProvider(FrameworkProblemBodyProvider problems, JsonMapper json) {
        this.problems = problems;
        this.json = json;
    }

    @Override
    public String body(ErrorContext context, HttpResponse<?> response) {
        try {
            return json.writeValueAsString(problems.body(context, response));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String contentType() {
        return Problem.MEDIA_TYPE;
    }
}
