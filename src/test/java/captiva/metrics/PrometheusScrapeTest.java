package captiva.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.sessions.OnlineSessionsGauge;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("metrics for Prometheus")
class PrometheusScrapeTest extends ApiTest {

    @Inject OnlineSessionsGauge online;

    private static void assertHas(String scrape, String line) {
        assertTrue(scrape.contains(line), () -> "no '" + line + "' in the scrape:\n" + scrape);
    }

    @Test
    void scrapeHasWhatTheDashboardsNeed() throws Exception {
        Tenant tenant = given().tenant();
        Location venue = given().location(tenant);
        given().sessions(Fixtures.session(venue).online());
        Key slow = given().key(tenant, List.of("sessions:read"), null, 1);
        assertEquals(200, http().get("/sessions/count", slow.auth()).status());
        assertEquals(429, http().get("/sessions/count", slow.auth()).status());
        assertTrue(online.count() >= 1);

        Http.Response r = http().get("/prometheus");

        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
        String scrape = r.body();
        assertHas(scrape, "captiva_radius_packets_total{outcome=\"stored\"");
        assertHas(scrape, "captiva_radius_batch_size_count");
        assertHas(scrape, "captiva_radius_batch_commit_seconds_count");
        assertHas(scrape, "captiva_radius_queue_depth");
        assertHas(scrape, "captiva_sessions_online");
        String tenantId = tenant.id();
        assertHas(scrape, "captiva_rate_limit_rejected_total{tenant=\"" + tenantId + "\"} 1.0");
        assertHas(scrape, "http_server_requests_seconds_count{");
        assertHas(scrape, "uri=\"/sessions/count\"");
        assertHas(scrape, "hikaricp_connections_active");
    }

    @Test
    void scrapeNeedsNoAuthentication() {
        assertEquals(200, http().get("/prometheus").status());
    }
}
