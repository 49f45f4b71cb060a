package captiva.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.events.EventSequencer;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.SessionSpec;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One tenant's backlog does not hold back another tenant's webhooks. The test drives the claims
 * itself (no workers), at a frozen instant long past, so that only its own deliveries are due among
 * whatever other tests left in the shared database.
 */
@MicronautTest(transactional = false)
@DisplayName("Webhooks: every tenant gets its share of the claims")
class WebhookFairShareTest extends ApiTest {

    private static final int BACKLOG = 5 * WebhookDispatcher.CLAIM;

    /** Nothing listens there: no delivery is sent, only claimed. */
    private static final String BUSY = "http://127.0.0.1:9/busy";

    private static final String QUIET = "http://127.0.0.1:9/quiet";

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.webhooks.allow-private-targets", "true", "captiva.webhooks.workers", "0");
    }

    @Test
    void aDeliveryDueAfterAnotherTenantsBacklogIsClaimedBeforeThatBacklogIs() {
        WebhookDispatcher dispatcher =
                server.getApplicationContext().getBean(WebhookDispatcher.class);
        EventSequencer sequencer = server.getApplicationContext().getBean(EventSequencer.class);
        Location busy = given().location(given().tenant());
        Location quiet = given().location(given().tenant());
        JsonNode busyEndpoint =
                WebhookDeliveryTest.subscribe(
                        http(), busy.tenant(), BUSY, List.of("session.started"));
        JsonNode quietEndpoint =
                WebhookDeliveryTest.subscribe(
                        http(), quiet.tenant(), QUIET, List.of("session.started"));
        Instant past = Instant.parse("1991-03-04T05:06:07Z");
        try {
            given().sessions(
                            IntStream.range(0, BACKLOG)
                                    .mapToObj(i -> Fixtures.session(busy).username("busy-" + i))
                                    .toArray(SessionSpec[]::new));
            sequencer.sequence();
            clock.freezeAt(past);
            dispatcher.queue();
            clock.reset();
            given().sessions(Fixtures.session(quiet).username("quiet"));
            sequencer.sequence();
            clock.freezeAt(past.plusSeconds(1));
            dispatcher.queue();

            // Oldest first, the busy tenant's whole backlog would be claimed before the quiet
            // tenant's one delivery. Deliveries stay leased once claimed, so each claim takes new
            // ones.
            int busyBefore = 0;
            boolean quietClaimed = false;
            for (int round = 0; round <= BACKLOG && !quietClaimed; round++) {
                List<WebhookDispatcher.Claimed> claimed = dispatcher.claim();
                quietClaimed = count(claimed, QUIET) == 1;
                if (!quietClaimed) {
                    busyBefore += count(claimed, BUSY);
                }
            }
            assertTrue(quietClaimed, "the quiet tenant's delivery was never claimed");
            assertTrue(
                    busyBefore < BACKLOG,
                    "the busy tenant's whole backlog, "
                            + busyBefore
                            + " deliveries, was claimed before the quiet tenant's one");
        } finally {
            clock.reset();
            for (var endpoint :
                    List.of(Map.entry(busy, busyEndpoint), Map.entry(quiet, quietEndpoint))) {
                http().delete(
                                "/admin/tenants/"
                                        + endpoint.getKey().tenant().id()
                                        + "/webhooks/"
                                        + endpoint.getValue().get("id").asText(),
                                Fixtures.admin());
            }
        }
    }

    private static int count(List<WebhookDispatcher.Claimed> claimed, String url) {
        return (int) claimed.stream().filter(c -> c.url().equals(url)).count();
    }
}
