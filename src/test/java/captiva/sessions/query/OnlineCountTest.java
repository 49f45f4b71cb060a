package captiva.sessions.query;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Online counts as dashboards poll them: one computation per venue, key and max age on an instance,
 * however many ask at once. The max age is 5 minutes here and time moves by the clock, so that
 * nothing depends on how fast the machine is.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/count?online=true, polled")
class OnlineCountTest extends ApiTest {

    @Inject MeterRegistry meters;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.sessions.online-count-max-age", "5m");
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private long online(Key key, Location at) {
        Http.Response r =
                http().get("/sessions/count?online=true&location_id=" + at.id(), key.auth());
        assertEquals(200, r.status(), r.body());
        return r.json().get("count").asLong();
    }

    private void aGuestComesOnline(Location at) {
        given().session(session(at).started(Instant.now().minusSeconds(60)).online());
    }

    /**
     * Counts computed: asks that found no count young enough (Caffeine's misses; the other askers
     * wait and hit).
     */
    private double computed() {
        FunctionCounter misses =
                meters.find("cache.gets")
                        .tag("cache", "online_counts")
                        .tag("result", "miss")
                        .functionCounter();
        return misses == null ? 0 : misses.count();
    }

    @Test
    @DisplayName("many dashboards asking at once share one computation")
    void concurrentAskersShareOneComputation() throws Exception {
        Location venue = given().location(given().tenant());
        Key key = given().readKey(venue.tenant());
        aGuestComesOnline(venue);
        double before = computed();
        int dashboards = 16;
        CyclicBarrier together = new CyclicBarrier(dashboards);
        ExecutorService pool = Executors.newFixedThreadPool(dashboards);
        try {
            List<CompletableFuture<Long>> answers =
                    IntStream.range(0, dashboards)
                            .mapToObj(
                                    i ->
                                            CompletableFuture.supplyAsync(
                                                    () -> {
                                                        try {
                                                            together.await();
                                                        } catch (Exception e) {
                                                            throw new IllegalStateException(e);
                                                        }
                                                        return online(key, venue);
                                                    },
                                                    pool))
                            .toList();

            for (CompletableFuture<Long> answer : answers) {
                assertEquals(1, answer.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(
                1,
                computed() - before,
                "computations of one venue's count for " + dashboards + " askers");
    }

    @Test
    @DisplayName("a count is at most the max age old")
    void aCountIsRecomputedOnceOld() {
        Location venue = given().location(given().tenant());
        Key key = given().readKey(venue.tenant());
        aGuestComesOnline(venue);
        assertEquals(1, online(key, venue));

        aGuestComesOnline(venue);
        assertEquals(1, online(key, venue), "within the max age, the count computed before");

        clock.advance(
                Duration.ofMinutes(5).plusSeconds(1)); // still within the stale timeout (11 min)
        assertEquals(2, online(key, venue));
    }

    @Test
    @DisplayName("a key limited to some venues never reads a count of the whole tenant")
    void restrictedKeysHaveCountsOfTheirOwn() {
        Tenant tenant = given().tenant();
        Location a = given().location(tenant);
        Location b = given().location(tenant);
        aGuestComesOnline(a);
        aGuestComesOnline(b);
        aGuestComesOnline(b);
        Key whole = given().readKey(tenant);
        Key onlyA = given().readKey(tenant, a);

        assertEquals(
                3,
                http().get("/sessions/count?online=true", whole.auth())
                        .json()
                        .get("count")
                        .asLong());
        assertEquals(
                1,
                http().get("/sessions/count?online=true", onlyA.auth())
                        .json()
                        .get("count")
                        .asLong());
        assertEquals(2, online(whole, b));
        assertEquals(
                0,
                http().get("/sessions/count?online=true&location_id=" + b.id(), onlyA.auth())
                        .json()
                        .get("count")
                        .asLong());
    }

    @Test
    @DisplayName("any other filter is counted afresh")
    void otherFiltersAreNotShared() {
        Location venue = given().location(given().tenant());
        Key key = given().readKey(venue.tenant());
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString();
        String filtered =
                "/sessions/count?online=true&start_time=" + today + "&location_id=" + venue.id();
        aGuestComesOnline(venue);
        assertEquals(1, http().get(filtered, key.auth()).json().get("count").asLong());

        aGuestComesOnline(venue);

        assertEquals(2, http().get(filtered, key.auth()).json().get("count").asLong());
    }
}
