package captiva.sessions.query;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.MutableTicker;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Online counts as dashboards poll them: one computation per tenant, venue, key and max age on an
 * instance, however many ask at once. The max age is the default 1 s here; elapsed time (the
 * ticker) and the clock stand still until a test moves them, so that nothing depends on how fast
 * the machine is.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/count?online=true, polled")
class OnlineCountTest extends ApiTest {

    @Inject MeterRegistry meters;
    @Inject MutableTicker ticker;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.sessions.online-count-max-age",
                "1s",
                "captiva.testing.mutable-ticker",
                "true");
    }

    @BeforeEach
    void timeStandsStill() {
        clock.freezeAt(Instant.now());
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
        given().session(session(at).started(clock.instant().minusSeconds(60)).online());
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
    @DisplayName("a count is at most the max age (1 s) old")
    void aCountIsRecomputedOnceOld() {
        Location venue = given().location(given().tenant());
        Key key = given().readKey(venue.tenant());
        aGuestComesOnline(venue);
        assertEquals(1, online(key, venue));
        aGuestComesOnline(venue);

        ticker.advance(Duration.ofMillis(999));
        clock.advance(Duration.ofMillis(999));
        long justYoungEnough = online(key, venue);
        ticker.advance(Duration.ofMillis(1));
        clock.advance(Duration.ofMillis(1));
        long oneSecondOld = online(key, venue);

        assertEquals(1, justYoungEnough, "within the max age, the count computed before");
        assertEquals(2, oneSecondOld, "a count 1 s old is taken again");
    }

    @Test
    @DisplayName("a clock that stepped makes the count be taken again")
    void aSteppedClockRetakesTheCount() {
        Location venue = given().location(given().tenant());
        Key key = given().readKey(venue.tenant());
        aGuestComesOnline(venue);
        assertEquals(1, online(key, venue));
        aGuestComesOnline(venue);

        clock.advance(Duration.ofMinutes(5)); // still within the stale timeout (11 min)

        assertEquals(2, online(key, venue));
    }

    @Test
    @DisplayName("each tenant has counts of its own")
    void tenantsNeverShareACount() {
        Tenant one = given().tenant();
        Tenant other = given().tenant();
        aGuestComesOnline(given().location(one));
        Location elsewhere = given().location(other);
        aGuestComesOnline(elsewhere);
        aGuestComesOnline(elsewhere);

        long ones = wholeTenant(given().readKey(one));
        long others = wholeTenant(given().readKey(other));

        assertEquals(1, ones);
        assertEquals(2, others, "the other tenant's count, not the one computed just before");
    }

    private long wholeTenant(Key key) {
        Http.Response r = http().get("/sessions/count?online=true", key.auth());
        assertEquals(200, r.status(), r.body());
        return r.json().get("count").asLong();
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
