package captiva.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's files as HTTP serves them: where they are, and the headers that guard the page. */
@MicronautTest(transactional = false)
@DisplayName("Console files and headers")
class ConsoleHeadersTest extends ApiTest {

    private static final String BROWSER_ACCEPT =
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    @Test
    void theRootSendsBrowsersToTheConsole() {
        Http.Response response = http().get("/", "Accept", BROWSER_ACCEPT);

        assertEquals(303, response.status());
        assertEquals("/console/", response.header("Location").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/console/",
                "/console",
                "/console/js/app.js",
                "/console/console.css",
                "/console/uplot/1.6.30/dist/uPlot.iife.min.js",
                "/console/icon.svg"
            })
    void everyConsoleFileIsServedWithAStrictContentSecurityPolicy(String path) {
        Http.Response response = http().get(path, "Accept", BROWSER_ACCEPT);

        assertEquals(200, response.status(), path);
        String policy = response.header("Content-Security-Policy").orElse("");
        assertTrue(policy.contains("default-src 'none'"), policy);
        assertTrue(
                policy.contains("script-src 'self'")
                        && !policy.contains("unsafe-inline")
                        && !policy.contains("unsafe-eval"),
                policy);
        assertTrue(policy.contains("frame-ancestors 'none'"), policy);
        assertEquals("nosniff", response.header("X-Content-Type-Options").orElse(""));
        assertEquals("no-referrer", response.header("Referrer-Policy").orElse(""));
    }

    @Test
    void thePageLoadsNoInlineScriptOrStyle() {
        String page = http().get("/console/", "Accept", BROWSER_ACCEPT).body();

        assertTrue(
                page.contains("<script type=\"module\" src=\"/console/js/app.js\"></script>"),
                page);
        assertTrue(
                !page.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"),
                "a script without src (inline) in:\n" + page);
        assertTrue(
                !page.contains("<style") && !page.contains("style="), "inline style in:\n" + page);
    }

    @Test
    void aFileTheConsoleDoesNotHaveIsANotFoundProblem() {
        Http.Response response = http().get("/console/missing.js");

        assertEquals(404, response.status());
        assertEquals("application/problem+json", response.contentType());
        assertEquals("nosniff", response.header("X-Content-Type-Options").orElse(""));
    }

    @Test
    void theApiItselfGetsNoConsoleHeaders() {
        Http.Response response = http().get("/health/liveness");

        assertTrue(
                response.header("Content-Security-Policy").isEmpty(),
                "the console's policy is scoped to /console");
    }
}
