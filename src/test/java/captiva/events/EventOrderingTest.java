package captiva.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The claim of docs/adr/0001-event-positions.md: a reader that follows links.next while many
 * transactions commit at once, in any order, reads every event exactly once.
 */
@MicronautTest(transactional = false)
@DisplayName("Event positions under concurrent writers")
class EventOrderingTest extends ApiTest {

    static final int WRITERS = 4;
    static final int IMPORTS_EACH = 25;

    @Test
    void aReaderFollowingTheLogWhileWritersCommitReadsEveryEventOnce() throws Exception {
        Location venue = given().location(given().tenant());
        Key read = given().readKey(venue.tenant());
        assertEquals(200, http().get("/events", read.auth()).status());
        Instant start = Instant.now().minus(Duration.ofHours(3));
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(
                    pool.submit(
                            () -> {
                                for (int i = 0; i < IMPORTS_EACH; i++) {
                                    given().sessions(
                                                    Fixtures.session(venue)
                                                            .started(start)
                                                            .ended(start.plusSeconds(60)));
                                }
                            }));
        }

        List<String> seen = new ArrayList<>();
        String next = "/events?per_page=7";
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (seen.size() < WRITERS * IMPORTS_EACH * 2 && Instant.now().isBefore(deadline)) {
            JsonNode page =
                    http().get(next.replaceFirst("^https?://[^/]+", ""), read.auth()).json();
            page.get("data").forEach(e -> seen.add(e.get("id").asText()));
            next = page.get("links").get("next").asText();
        }
        for (Future<?> writer : writers) {
            writer.get();
        }
        pool.shutdown();

        Set<String> distinct = new HashSet<>(seen);
        assertEquals(seen.size(), distinct.size(), "an event was read twice");
        assertEquals(WRITERS * IMPORTS_EACH * 2, seen.size(), "events were skipped or never came");
        assertTrue(
                http().get(next.replaceFirst("^https?://[^/]+", ""), read.auth())
                        .json()
                        .get("data")
                        .isEmpty());
    }
}
