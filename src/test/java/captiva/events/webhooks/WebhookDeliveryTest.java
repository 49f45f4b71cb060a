package captiva.events.webhooks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("Webhooks: delivery")
class WebhookDeliveryTest extends ApiTest {

    private final List<Receiver> receivers = new ArrayList<>();

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.webhooks.allow-private-targets",
                "true",
                "captiva.webhooks.first-retry",
                "200ms");
    }

    @AfterEach
    void closeReceivers() {
        receivers.forEach(Receiver::close);
    }

    Receiver aReceiver() {
        Receiver receiver = new Receiver();
        receivers.add(receiver);
        return receiver;
    }

    static JsonNode subscribe(Http http, Tenant tenant, String url, List<String> types) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", url);
        body.put("event_types", types);
        Http.Response r =
                http.post("/admin/tenants/" + tenant.id() + "/webhooks", body, Fixtures.admin());
        assertEquals(201, r.status(), r::body);
        return r.json();
    }

    void aSessionAt(Location venue, String username) {
        Instant start = Instant.now().minus(Duration.ofHours(2));
        given().sessions(
                        Fixtures.session(venue)
                                .started(start)
                                .ended(start.plusSeconds(60))
                                .username(username));
    }

    @Test
    void anEventRefusedTwiceArrivesThreeTimesWithOneIdAndASignatureTheLibraryAccepts()
            throws Exception {
        Location venue = given().location(given().tenant());
        Receiver receiver = aReceiver().answering(500, 500);
        JsonNode endpoint =
                subscribe(http(), venue.tenant(), receiver.url(), List.of("session.started"));
        String secret = endpoint.get("secret").asText();

        aSessionAt(venue, "ann");

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 3);
        List<Receiver.Received> got = receiver.received();
        assertEquals(3, got.size());
        assertEquals(
                1,
                got.stream().map(r -> r.header("webhook-id")).distinct().count(),
                "one webhook-id for all attempts");
        for (Receiver.Received r : got) {
            assertDoesNotThrow(() -> new Webhook(secret).verify(r.body(), r.headers()));
        }
        JsonNode body = Http.JSON.readTree(got.get(2).body());
        assertEquals("session.started", body.get("type").asText());
        assertEquals("ann", body.get("data").get("username").asText());
        assertEquals(3, body.size(), "type, timestamp and data: " + body);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> attempts(venue.tenant(), endpoint).size() == 3);
        List<JsonNode> attempts = attempts(venue.tenant(), endpoint);
        assertEquals(
                List.of(200, 500, 500),
                attempts.stream().map(a -> a.get("status_code").asInt()).toList());
    }

    @Test
    void theSecretIsWhsecAndTheBase64Of32RandomBytesShownOnce() {
        Tenant tenant = given().tenant();
        Receiver receiver = aReceiver();

        JsonNode created = subscribe(http(), tenant, receiver.url(), List.of("session.ended"));

        String secret = created.get("secret").asText();
        assertTrue(secret.startsWith("whsec_"));
        assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);
        JsonNode listed =
                http().get(
                                "/admin/tenants/"
                                        + tenant.id()
                                        + "/webhooks/"
                                        + created.get("id").asText(),
                                Fixtures.admin())
                        .json();
        assertTrue(listed.get("secret").isNull());
    }

    @Test
    void aWebhookNeverCarriesAnotherTenantsEvent() {
        Location mine = given().location(given().tenant());
        Location theirs = given().location(given().tenant());
        Receiver myReceiver = aReceiver();
        Receiver theirReceiver = aReceiver();
        subscribe(
                http(),
                mine.tenant(),
                myReceiver.url(),
                List.of("session.started", "session.ended"));
        subscribe(
                http(),
                theirs.tenant(),
                theirReceiver.url(),
                List.of("session.started", "session.ended"));

        aSessionAt(theirs, "theirs");
        aSessionAt(mine, "mine");

        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                myReceiver.received().size() == 2
                                        && theirReceiver.received().size() == 2);
        for (Receiver.Received r : myReceiver.received()) {
            assertTrue(r.body().contains("\"mine\""), r.body());
            assertTrue(r.body().contains(mine.id()), r.body());
        }
    }

    @Test
    void aSessionsEventsArriveInOrder() {
        Location venue = given().location(given().tenant());
        Receiver receiver = aReceiver().answering(503);
        subscribe(
                http(),
                venue.tenant(),
                receiver.url(),
                List.of("session.started", "session.ended"));

        aSessionAt(venue, "ordered");

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 3);
        List<String> types =
                receiver.received().stream()
                        .map(r -> r.body().replaceAll(".*\"type\":\"([a-z.]+)\".*", "$1"))
                        .toList();
        assertEquals(
                List.of("session.started", "session.started", "session.ended"),
                types,
                "the end waits until its start was delivered");
    }

    @Test
    void aPingIsSentAtOnceAndLogged() {
        Tenant tenant = given().tenant();
        Receiver receiver = aReceiver();
        JsonNode endpoint = subscribe(http(), tenant, receiver.url(), List.of("session.started"));

        Http.Response r =
                http().post(
                                "/admin/tenants/"
                                        + tenant.id()
                                        + "/webhooks/"
                                        + endpoint.get("id").asText()
                                        + "/ping",
                                "",
                                Fixtures.admin());

        assertEquals(200, r.status(), r::body);
        assertEquals(200, r.json().get("status_code").asInt());
        assertEquals(1, receiver.received().size());
        assertDoesNotThrow(
                () ->
                        new Webhook(endpoint.get("secret").asText())
                                .verify(
                                        receiver.received().get(0).body(),
                                        receiver.received().get(0).headers()));
        assertEquals("webhook.ping", attempts(tenant, endpoint).get(0).get("event_type").asText());
    }

    @Test
    void oneEventCanBeDeliveredAgain() {
        Location venue = given().location(given().tenant());
        Receiver receiver = aReceiver();
        JsonNode endpoint =
                subscribe(http(), venue.tenant(), receiver.url(), List.of("session.started"));
        aSessionAt(venue, "again");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
        String eventId = receiver.received().get(0).header("webhook-id");

        Http.Response r =
                http().post(
                                "/admin/tenants/"
                                        + venue.tenant().id()
                                        + "/webhooks/"
                                        + endpoint.get("id").asText()
                                        + "/redeliver",
                                Map.of("event_id", eventId),
                                Fixtures.admin());

        assertEquals(202, r.status(), r::body);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 2);
        assertEquals(eventId, receiver.received().get(1).header("webhook-id"));
    }

    @Test
    void aDeletedEndpointGetsNothingMore() {
        Location venue = given().location(given().tenant());
        Receiver receiver = aReceiver();
        JsonNode endpoint =
                subscribe(http(), venue.tenant(), receiver.url(), List.of("session.started"));
        String path =
                "/admin/tenants/"
                        + venue.tenant().id()
                        + "/webhooks/"
                        + endpoint.get("id").asText();

        Receiver other = aReceiver();
        subscribe(http(), venue.tenant(), other.url(), List.of("session.started"));

        assertEquals(204, http().delete(path, Fixtures.admin()).status());
        aSessionAt(venue, "gone");

        await().atMost(Duration.ofSeconds(30)).until(() -> other.received().size() == 1);
        assertEquals(404, http().get(path, Fixtures.admin()).status());
        assertEquals(0, receiver.received().size());
    }

    Http.Response setEnabled(Tenant tenant, JsonNode endpoint, boolean enabled) {
        return http().patch(
                        "/admin/tenants/"
                                + tenant.id()
                                + "/webhooks/"
                                + endpoint.get("id").asText(),
                        Map.of("enabled", enabled),
                        Fixtures.admin());
    }

    @Test
    void aPausedEndpointGetsNothingWhileAnotherOfTheTenantDoes() {
        Location venue = given().location(given().tenant());
        Receiver paused = aReceiver();
        JsonNode endpoint =
                subscribe(http(), venue.tenant(), paused.url(), List.of("session.started"));
        Receiver other = aReceiver();
        subscribe(http(), venue.tenant(), other.url(), List.of("session.started"));

        Http.Response r = setEnabled(venue.tenant(), endpoint, false);
        aSessionAt(venue, "paused");

        assertEquals(200, r.status(), r::body);
        assertEquals(false, r.json().get("enabled").asBoolean());
        assertEquals("Paused by its owner", r.json().get("disabled_reason").asText());
        await().atMost(Duration.ofSeconds(30)).until(() -> other.received().size() == 1);
        assertEquals(0, paused.received().size());
    }

    @Test
    void aResumedEndpointIsSentTheEventsOfItsPause() {
        Location venue = given().location(given().tenant());
        Receiver receiver = aReceiver();
        JsonNode endpoint =
                subscribe(http(), venue.tenant(), receiver.url(), List.of("session.started"));
        assertEquals(200, setEnabled(venue.tenant(), endpoint, false).status());

        // The tenant's only endpoint is paused: its events must still be logged.
        aSessionAt(venue, "during-the-pause");
        Http.Response r = setEnabled(venue.tenant(), endpoint, true);

        assertEquals(200, r.status(), r::body);
        assertTrue(r.json().get("disabled_reason").isNull(), r::body);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
        assertTrue(receiver.received().get(0).body().contains("during-the-pause"));
    }

    @Test
    void aNewEndpointCannotBeCreatedPaused() {
        Tenant tenant = given().tenant();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", "http://127.0.0.1:9/hook");
        body.put("event_types", List.of("session.started"));
        body.put("enabled", false);

        Http.Response r =
                http().post("/admin/tenants/" + tenant.id() + "/webhooks", body, Fixtures.admin());

        assertEquals(400, r.status(), r::body);
        assertEquals("enabled", r.json().get("errors").get(0).get("name").asText());
    }

    List<JsonNode> attempts(Tenant tenant, JsonNode endpoint) {
        List<JsonNode> list = new ArrayList<>();
        http().get(
                        "/admin/tenants/"
                                + tenant.id()
                                + "/webhooks/"
                                + endpoint.get("id").asText()
                                + "/attempts",
                        Fixtures.admin())
                .json()
                .get("data")
                .forEach(list::add);
        return list;
    }
}
