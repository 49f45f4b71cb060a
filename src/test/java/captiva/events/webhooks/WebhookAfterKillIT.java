package captiva.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.PackagedJar;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An event committed but not yet delivered survives a kill -9 of the packaged service in the middle
 * of sending it: after the restart, once the killed process's lease ran out, it is sent again with
 * the same webhook-id until the receiver takes it.
 */
@DisplayName("webhooks: an undelivered event survives a kill -9")
class WebhookAfterKillIT {

    @Test
    void anEventCommittedButNotDeliveredWhenTheServiceIsKilledArrivesAfterTheRestart()
            throws Exception {
        Map<String, String> environment = PackagedJar.onTestDatabase();
        environment.put("CAPTIVA_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");
        // A killed process's claim is given up after its lease: short here, so the test is short.
        environment.put("CAPTIVA_WEBHOOKS_LEASE", "2s");
        environment.put("CAPTIVA_WEBHOOKS_FIRST_RETRY", "200ms");
        // Slow to answer, and refusing: the kill comes while the first attempt is in flight, under
        // its lease.
        try (Receiver receiver =
                new Receiver().answeringAfter(Duration.ofSeconds(5)).byDefault(503)) {
            String eventId;
            try (PackagedJar first =
                    PackagedJar.startOnFreePorts(environment, Duration.ofSeconds(90))) {
                Http http = new Http("http://127.0.0.1:" + first.port(PackagedJar.HTTP_PORT));
                Fixtures given = new Fixtures(http);
                Location venue = given.location(given.tenant());
                WebhookDeliveryTest.subscribe(
                        http, venue.tenant(), receiver.url(), List.of("session.started"));
                Instant start = Instant.now().minus(Duration.ofHours(1));
                given.sessions(
                        Fixtures.session(venue)
                                .started(start)
                                .ended(start.plusSeconds(60))); // 201: committed
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> !receiver.received().isEmpty());
                eventId = receiver.received().get(0).header("webhook-id");

                first.kill(); // mid-send: nothing was delivered
            }
            receiver.answeringAfter(Duration.ZERO).byDefault(200);
            int refused = receiver.received().size();

            try (PackagedJar restarted =
                    PackagedJar.startOnFreePorts(environment, Duration.ofSeconds(90))) {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> receiver.received().size() > refused);

                List<Receiver.Received> after =
                        receiver.received().subList(refused, receiver.received().size());
                assertTrue(
                        after.stream().allMatch(r -> eventId.equals(r.header("webhook-id"))),
                        "only the one event: " + after);
                assertEquals(eventId, after.get(0).header("webhook-id"));
                restarted.stop(Duration.ofSeconds(10));
            }
        }
    }
}
