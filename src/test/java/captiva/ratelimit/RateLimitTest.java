package captiva.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("rate limits")
class RateLimitTest extends ApiTest {

    /**
     * Time stands still unless a test moves it: a refill cannot slip in while a test counts
     * requests.
     */
    @BeforeEach
    void stopTime() {
        clock.freezeAt(Instant.now());
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private Key keyWithDefaultLimit() {
        Tenant tenant = given().tenant();
        return given().key(tenant, List.of("sessions:read"), null, null);
    }

    @Test
    void sixtyFirstRequestInAMinuteIs429WithRetryAfter() {
        Key key = keyWithDefaultLimit();
        for (int i = 0; i < 60; i++) {
            assertEquals(
                    200, http().get("/sessions/count", key.auth()).status(), "request " + (i + 1));
        }

        Http.Response r = http().get("/sessions/count", key.auth());

        assertEquals(429, r.status());
        assertEquals("application/problem+json", r.contentType());
        assertEquals("1", r.header("Retry-After").orElseThrow());
        assertEquals("60", r.header("X-RateLimit-Limit").orElseThrow());
        assertEquals("0", r.header("X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void headersCountDownOnEveryAnswer() {
        Key key = keyWithDefaultLimit();

        Http.Response first = http().get("/sessions", key.auth());
        Http.Response second = http().get("/sessions", key.auth());

        assertEquals("60", first.header("X-RateLimit-Limit").orElseThrow());
        assertEquals("59", first.header("X-RateLimit-Remaining").orElseThrow());
        assertEquals("58", second.header("X-RateLimit-Remaining").orElseThrow());
        assertEquals("2", second.header("X-RateLimit-Reset").orElseThrow());
    }

    @Test
    void errorAnswersCarryTheHeadersToo() {
        Key key = keyWithDefaultLimit();

        Http.Response r = http().get("/sessions?per_page=0", key.auth());

        assertEquals(400, r.status());
        assertEquals("59", r.header("X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void aRefillIsSeenAsTimePasses() {
        Key key = keyWithDefaultLimit();
        for (int i = 0; i < 60; i++) {
            http().get("/sessions/count", key.auth());
        }
        assertEquals(429, http().get("/sessions/count", key.auth()).status());

        clock.advance(Duration.ofSeconds(10));

        Http.Response r = http().get("/sessions/count", key.auth());
        assertEquals(200, r.status());
        assertEquals("9", r.header("X-RateLimit-Remaining").orElseThrow());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(
                "59",
                http().get("/sessions/count", key.auth())
                        .header("X-RateLimit-Remaining")
                        .orElseThrow());
    }

    @Test
    void eachEndpointHasItsOwnBucket() {
        Key key = keyWithDefaultLimit();
        for (int i = 0; i < 60; i++) {
            http().get("/sessions/count", key.auth());
        }

        assertEquals(429, http().get("/sessions/count", key.auth()).status());
        assertEquals(200, http().get("/sessions", key.auth()).status());
        assertEquals(404, http().get("/sessions/10.0.0.1", key.auth()).status());
    }

    @Test
    void headAndGetOfAnEndpointShareItsBucket() {
        Key key = given().key(given().tenant(), List.of("sessions:read"), null, 2);
        http().get("/sessions/count", key.auth());
        http().send(
                        java.net.http.HttpRequest.newBuilder(http().uri("/sessions/count"))
                                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()),
                        key.auth());

        assertEquals(429, http().get("/sessions/count", key.auth()).status());
    }

    @Test
    void eachKeyHasItsOwnBucket() {
        Tenant tenant = given().tenant();
        Key busy = given().key(tenant, List.of("sessions:read"), null, 1);
        Key quiet = given().key(tenant, List.of("sessions:read"), null, 1);
        http().get("/sessions/count", busy.auth());

        assertEquals(429, http().get("/sessions/count", busy.auth()).status());
        assertEquals(200, http().get("/sessions/count", quiet.auth()).status());
    }

    @Test
    void aKeysOwnLimitReplacesTheDefault() {
        Key key = given().key(given().tenant(), List.of("sessions:read"), null, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, http().get("/sessions/count", key.auth()).status());
        }

        Http.Response r = http().get("/sessions/count", key.auth());

        assertEquals(429, r.status());
        assertEquals("3", r.header("X-RateLimit-Limit").orElseThrow());
        assertEquals("20", r.header("Retry-After").orElseThrow());
    }

    /**
     * One test, as the address's bucket is shared by every test of the class and the clock is reset
     * between them.
     */
    @Test
    void
            failedAuthenticationIsLimitedPerClientAddressAndThenEvenTheRightCredentialsAre429UntilItRefills() {
        Key key = keyWithDefaultLimit();
        int allowed = 30;
        for (int i = 0; i < allowed; i++) {
            assertEquals(
                    401, http().get("/sessions", "Authorization", "Bearer cpk_wrong" + i).status());
        }

        Http.Response wrong = http().get("/sessions", "Authorization", "Bearer cpk_wrong");
        Http.Response rightKey = http().get("/sessions", key.auth());
        Http.Response rightAdminToken =
                http().get("/admin/tenants", "Authorization", "Bearer " + ADMIN_TOKEN);

        assertEquals(429, wrong.status());
        assertTrue(wrong.header("Retry-After").isPresent());
        assertEquals(
                429,
                rightKey.status(),
                "a right guess must look like a wrong one while the address is limited");
        assertTrue(rightKey.header("Retry-After").isPresent());
        assertEquals(429, rightAdminToken.status());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(200, http().get("/sessions", key.auth()).status());
        assertEquals(
                200,
                http().get("/admin/tenants", "Authorization", "Bearer " + ADMIN_TOKEN).status());
    }
}
