package captiva.common;

import static captiva.testing.Fixtures.session;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Statistics and exports share a cap per instance; over it, a 503 problem before any work. */
@MicronautTest(transactional = false)
@DisplayName("statistics and exports, at most so many at once")
class WideReadsTest extends ApiTest {

    @Inject WideReads wideReads;

    private Key key;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.wide-reads.max-concurrent",
                "1",
                "captiva.rate-limit.export-per-minute",
                "1000");
    }

    @BeforeAll
    void venue() {
        Tenant tenant = given().tenant();
        Location location = given().location(tenant);
        key = given().readKey(tenant);
        given().sessions(session(location), session(location));
    }

    @Test
    void overTheCapStatisticsAndExportsAre503WithRetryAfter() {
        try (WideReads.Permit running = wideReads.start(-1)) {
            for (String path : new String[] {"/sessions/statistics", "/sessions/export"}) {
                Http.Response r = http().get(path, key.auth());
                assertEquals(503, r.status(), path + ": " + r.body());
                assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
                assertEquals("5", r.header("Retry-After").orElse(null));
            }
        }
        assertEquals(200, http().get("/sessions/statistics", key.auth()).status());
    }

    @Test
    void everyWayAWideReadEndsGivesItsPermitBack() throws InterruptedException {
        assertEquals(200, http().get("/sessions/statistics", key.auth()).status());
        assertEquals(400, http().get("/sessions/statistics?group_by=week", key.auth()).status());
        Http.Response export = http().get("/sessions/export", key.auth());
        assertEquals(200, export.status(), export.body());
        assertEquals(3, export.body().split("\r\n").length, "header and two sessions");
        // The export's permit is given back once the stream has ended, just after the last byte.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertEquals(1, wideReads.available()));

        // A HEAD has no body to stream: its permit must come back all the same.
        Http.Response head =
                http().send(
                                HttpRequest.newBuilder(
                                                URI.create(http().base() + "/sessions/export"))
                                        .method("HEAD", HttpRequest.BodyPublishers.noBody()),
                                key.auth());
        assertEquals(200, head.status());
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertEquals(1, wideReads.available(), "a HEAD kept its permit"));
    }
}
