package captiva.sessions;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("stale-session reaper")
class StaleSessionReaperTest extends ApiTest {

    @Inject StaleSessionReaper reaper;

    @AfterEach
    void realTime() {
        clock.reset();
    }

    @Test
    void silentSessionIsClosedAtItsLastUpdateAndFreshOneIsLeftOpen() {
        Location venue = given().location(given().tenant());
        Key key = given().readKey(venue.tenant());
        Instant imported = Instant.now();
        given().session(session(venue).started(imported.minusSeconds(60)).online());
        clock.advance(Duration.ofMinutes(15));
        given().session(session(venue).started(imported.minusSeconds(30)).online());

        reaper.reap();

        Http.Response r = http().get("/sessions", key.auth());
        JsonNode reaped = r.json().get("data").get(0);
        JsonNode fresh = r.json().get("data").get(1);
        assertEquals("Offline", reaped.get("connection_status").asText());
        assertTrue(
                Duration.between(imported, Instant.parse(reaped.get("end_time").asText()))
                                .abs()
                                .getSeconds()
                        <= 1,
                "ended at its last update, the import: " + reaped.get("end_time").asText());
        assertTrue(fresh.get("end_time").isNull());
        assertEquals(
                1,
                http().get("/sessions/count?online=true", key.auth()).json().get("count").asLong());
    }

    @Test
    void manyStaleSessionsAreClosedInSeveralBatches() {
        Location venue = given().location(given().tenant());
        Key key = given().readKey(venue.tenant());
        var specs = new captiva.testing.Fixtures.SessionSpec[StaleSessionReaper.BATCH + 5];
        for (int i = 0; i < specs.length; i++) {
            specs[i] = session(venue).started(Instant.now().minusSeconds(60)).online();
        }
        given().sessions(java.util.Arrays.copyOfRange(specs, 0, 1000));
        given().sessions(java.util.Arrays.copyOfRange(specs, 1000, specs.length));
        clock.advance(Duration.ofMinutes(15));

        reaper.reap();

        assertEquals(
                0,
                http().get("/sessions/count?online=true", key.auth()).json().get("count").asLong());
        assertEquals(
                specs.length,
                http().get("/sessions/count?end_time=2999-01-01", key.auth())
                        .json()
                        .get("count")
                        .asLong());
    }
}
