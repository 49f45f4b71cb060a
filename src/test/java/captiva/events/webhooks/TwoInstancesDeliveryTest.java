package captiva.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Instances;
import captiva.testing.TestDatabase;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one database share one endpoint's deliveries: each event reaches the receiver
 * once, and never while another instance is still sending it, even when the receiver is slow.
 */
@MicronautTest(transactional = false)
@DisplayName("Webhooks: two instances on one database")
class TwoInstancesDeliveryTest extends ApiTest {

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.webhooks.allow-private-targets", "true");
    }

    @Test
    void twoInstancesNeverSendOneEventTwiceOrAtOnce() {
        Map<String, Object> other = new HashMap<>(TestDatabase.properties());
        other.put("captiva.webhooks.allow-private-targets", "true");
        EmbeddedServer second = Instances.start(other);
        try (Receiver receiver = new Receiver().answeringAfter(Duration.ofMillis(150))) {
            Location venue = given().location(given().tenant());
            WebhookDeliveryTest.subscribe(
                    http(),
                    venue.tenant(),
                    receiver.url(),
                    List.of("session.started", "session.ended"));
            Instant start = Instant.now().minus(Duration.ofHours(2));

            given().sessions(
                            IntStream.range(0, 20)
                                    .mapToObj(
                                            i ->
                                                    Fixtures.session(venue)
                                                            .username("twice-" + i)
                                                            .started(start.plusSeconds(i))
                                                            .ended(start.plusSeconds(600 + i)))
                                    .toArray(Fixtures.SessionSpec[]::new));

            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> receiver.received().size() >= 40);
            // A second sending would follow within a few polls (250 ms) of either instance: none
            // comes.
            Awaitility.await()
                    .during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> receiver.received().size() == 40);
            Map<String, Long> perEvent =
                    receiver.received().stream()
                            .collect(
                                    Collectors.groupingBy(
                                            r -> r.header("webhook-id"), Collectors.counting()));
            assertEquals(40, perEvent.size());
            assertEquals(
                    Map.of(),
                    perEvent.entrySet().stream()
                            .filter(e -> e.getValue() > 1)
                            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                    "events sent more than once");
            assertEquals(
                    1, receiver.mostAtOnceOfOneEvent(), "one event sent by two instances at once");
        } finally {
            second.getApplicationContext().close();
        }
    }
}
