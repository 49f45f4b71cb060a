package captiva.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Http;
import captiva.testing.MutableClock;
import captiva.testing.TestDatabase;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two service instances on one database, as two replicas behind a load balancer. Both clocks are
 * frozen at the same instant, so no token refills while the test counts.
 */
@DisplayName("rate limit across replicas")
class SharedRateLimitTest {

    private final List<EmbeddedServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(EmbeddedServer::stop);
    }

    private List<Http> twoInstances(String store) {
        Instant now = Instant.now();
        List<Http> instances = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
            properties.put("captiva.admin.token", ApiTest.ADMIN_TOKEN);
            properties.put("micronaut.server.port", "-1");
            properties.put("captiva.rate-limit.store", store);
            EmbeddedServer server =
                    ApplicationContext.run(EmbeddedServer.class, properties, "test");
            servers.add(server);
            server.getApplicationContext().getBean(MutableClock.class).freezeAt(now);
            instances.add(new Http(server.getURL().toString()));
        }
        return instances;
    }

    /** 30 requests to each instance, all allowed; then the answer of the 61st, on the first. */
    private Http.Response sixtyFirstAfterThirtyOnEach(List<Http> instances) {
        Fixtures given = new Fixtures(instances.get(0));
        Key key = given.key(given.tenant(), List.of("sessions:read"), null, null);
        for (int i = 0; i < 60; i++) {
            Http.Response r = instances.get(i % 2).get("/sessions/count", key.auth());
            assertEquals(200, r.status(), "request " + (i + 1));
        }
        return instances.get(0).get("/sessions/count", key.auth());
    }

    @Test
    void inPostgresSixtyAMinuteHoldInTotalAcrossInstances() {
        Http.Response r = sixtyFirstAfterThirtyOnEach(twoInstances("postgres"));

        assertEquals(429, r.status());
        assertEquals("0", r.header("X-RateLimit-Remaining").orElseThrow());
        assertEquals("1", r.header("Retry-After").orElseThrow());
    }

    @Test
    void inProcessEachInstanceCountsOnlyItsOwn() {
        Http.Response r = sixtyFirstAfterThirtyOnEach(twoInstances("local"));

        assertEquals(200, r.status());
        assertEquals("29", r.header("X-RateLimit-Remaining").orElseThrow());
    }
}
