package captiva.sessions.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.common.WideReads;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** With the default settings: one export a minute per key, whatever the key's own limit. */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/export rate limit")
class ExportRateLimitTest extends ApiTest {

    @Inject WideReads wideReads;

    @BeforeEach
    void stopTime() {
        clock.freezeAt(Instant.now());
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private Http.Response export(Key key) {
        return http().get("/sessions/export", key.auth());
    }

    @Test
    void secondExportInAMinuteIs429ProblemWithRetryAfter() {
        Key key = given().key(given().tenant(), List.of("sessions:read"), null, null);
        Http.Response first = export(key);

        Http.Response second = export(key);

        assertEquals(200, first.status(), first.body());
        assertEquals("1", first.header("X-RateLimit-Limit").orElseThrow());
        assertEquals(429, second.status());
        assertEquals("application/problem+json", second.contentType());
        assertEquals("60", second.header("Retry-After").orElseThrow());
        assertEquals("0", second.header("X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void aKeysOwnHigherLimitDoesNotRaiseTheExportLimit() {
        Key generous = given().key(given().tenant(), List.of("sessions:read"), null, 10_000);
        export(generous);

        Http.Response second = export(generous);

        assertEquals(429, second.status());
        assertEquals("1", second.header("X-RateLimit-Limit").orElseThrow());
    }

    @Test
    void aMinuteLaterTheNextExportIsAllowed() {
        Key key = given().key(given().tenant(), List.of("sessions:read"), null, null);
        export(key);

        clock.advance(Duration.ofSeconds(60));

        assertEquals(200, export(key).status());
    }

    @Test
    void retryAfterAndResetNameTheSameMomentAndARetryThenSucceeds() {
        Key key = given().key(given().tenant(), List.of("sessions:read"), null, null);
        export(key);
        clock.advance(Duration.ofSeconds(40));

        Http.Response refused = export(key);

        assertEquals(429, refused.status());
        assertEquals("20", refused.header("Retry-After").orElseThrow());
        assertEquals(
                refused.header("Retry-After").orElseThrow(),
                refused.header("X-RateLimit-Reset").orElseThrow());
        clock.advance(
                Duration.ofSeconds(Long.parseLong(refused.header("Retry-After").orElseThrow())));
        assertEquals(200, export(key).status());
    }

    @Test
    void anExportDoesNotSpendTheKeysReadRequests() {
        Tenant tenant = given().tenant();
        Key key = given().key(tenant, List.of("sessions:read"), null, null);
        export(key);

        Http.Response list = http().get("/sessions", key.auth());

        assertEquals(200, list.status());
        assertEquals("60", list.header("X-RateLimit-Limit").orElseThrow());
        assertEquals("59", list.header("X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void eachKeyHasItsOwnExportBucket() {
        Tenant tenant = given().tenant();
        Key one = given().key(tenant, List.of("sessions:read"), null, null);
        Key other = given().key(tenant, List.of("sessions:read"), null, null);
        export(one);

        assertEquals(200, export(other).status());
    }

    @Test
    void anExportRefusedForWantOfASlotDoesNotSpendTheKeysExport() {
        Key key = given().key(given().tenant(), List.of("sessions:read"), null, null);
        Http.Response refused;
        // Every slot taken by other tenants' wide reads (ids no tenant has).
        try (WideReads.Permit one = wideReads.start(-1);
                WideReads.Permit two = wideReads.start(-2)) {
            refused = export(key);
        }

        Http.Response next = export(key);

        assertEquals(503, refused.status(), refused.body());
        assertEquals(
                "1",
                refused.header("X-RateLimit-Remaining").orElseThrow(),
                "the 503 gave its token back");
        assertEquals(200, next.status(), next.body());
    }
}
