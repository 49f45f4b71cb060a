package captiva.events.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.events.EventRetention;
import captiva.events.EventSequencer;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("GET /events/stream")
class EventStreamTest extends ApiTest {

    static final int MAX_PER_KEY = 3;

    /** The default lease (application.yml), which these tests leave as it is. */
    static final Duration LEASE = Duration.ofSeconds(30);

    @Inject OpaqueIds ids;

    @Inject EventSequencer sequencer;

    @Inject EventRetention retention;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.events.stream.max-per-key",
                Integer.toString(MAX_PER_KEY),
                "captiva.events.stream.counts-interval",
                "300ms",
                "captiva.events.stream.heartbeat-interval",
                "200ms");
    }

    SseClient stream(Key key, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "X-API-Key";
        all[1] = key.key();
        System.arraycopy(headers, 0, all, 2, headers.length);
        return SseClient.open(server.getURL() + "/events/stream", all);
    }

    /** A venue of a new tenant, and a read key whose first stream turned the tenant's log on. */
    record Venue(Location location, Key read) {}

    Venue aVenue() {
        Location location = given().location(given().tenant());
        Key read = given().readKey(location.tenant());
        assertEquals(200, http().get("/events", read.auth()).status());
        return new Venue(location, read);
    }

    /** Imports a session that starts now and stays online; returns its public id. */
    String anOnlineSession(Location at) {
        return given().session(
                        Fixtures.session(at).started(Instant.now().minusSeconds(60)).online());
    }

    List<JsonNode> eventsViaPages(Key key) {
        List<JsonNode> all = new ArrayList<>();
        http().get("/events?per_page=1000", key.auth()).json().get("data").forEach(all::add);
        return all;
    }

    static JsonNode json(String text) {
        try {
            return Http.JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }

    static List<SseClient.Message> events(SseClient client) {
        return client.messages().stream()
                .filter(
                        m ->
                                m.event().startsWith("session.")
                                        || m.event().startsWith("login.")
                                        || m.event().startsWith("guest."))
                .toList();
    }

    @Nested
    @DisplayName("events")
    class Events {

        @Test
        void anEventArrivesAsIdTypeAndTheSameJsonAsGetEvents() {
            Venue venue = aVenue();
            try (SseClient client = stream(venue.read())) {
                assertEquals(200, client.status());
                assertTrue(
                        client.response()
                                .headers()
                                .firstValue("Content-Type")
                                .orElse("")
                                .startsWith("text/event-stream"));

                String session = anOnlineSession(venue.location());
                sequencer.sequence();

                List<SseClient.Message> got =
                        client.awaitMessages(
                                m -> m.stream().anyMatch(x -> x.event().equals("session.started")));
                SseClient.Message started =
                        got.stream()
                                .filter(x -> x.event().equals("session.started"))
                                .findFirst()
                                .orElseThrow();
                JsonNode listed = eventsViaPages(venue.read()).get(0);
                assertEquals(listed.get("id").asText(), started.id());
                assertEquals(listed, json(started.data()));
                assertEquals(session, json(started.data()).get("data").get("session_id").asText());
            }
        }

        @Test
        void reconnectingWithLastEventIdGetsExactlyTheMissedEvents() {
            Venue venue = aVenue();
            List<String> received = new ArrayList<>();
            try (SseClient first = stream(venue.read())) {
                anOnlineSession(venue.location());
                anOnlineSession(venue.location());
                sequencer.sequence();
                first.awaitMessages(m -> events(first).size() == 2);
                events(first).forEach(m -> received.add(m.id()));
            }
            anOnlineSession(venue.location()); // while disconnected
            anOnlineSession(venue.location());
            sequencer.sequence();

            try (SseClient second =
                    stream(venue.read(), "Last-Event-ID", received.get(received.size() - 1))) {
                anOnlineSession(venue.location()); // after reconnecting
                sequencer.sequence();
                second.awaitMessages(m -> events(second).size() >= 3);
                events(second).forEach(m -> received.add(m.id()));
                List<String> logged =
                        eventsViaPages(venue.read()).stream()
                                .map(e -> e.get("id").asText())
                                .toList();
                assertEquals(5, logged.size());
                assertEquals(
                        logged, received, "every event once, in order, across the reconnection");
            }
        }

        @Test
        void aKeyLimitedToOneVenueSeesOnlyThatVenuesEvents() {
            Venue venue = aVenue();
            Location other = given().location(venue.location().tenant());
            Key limited = given().readKey(venue.location().tenant(), venue.location());
            try (SseClient client = stream(limited)) {
                anOnlineSession(other);
                String mine = anOnlineSession(venue.location());
                sequencer.sequence();

                client.awaitMessages(m -> !events(client).isEmpty());
                // The other venue's event was logged first: had it been sent, it would be here
                // already.
                Awaitility.await()
                        .during(Duration.ofMillis(500))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> events(client).size() == 1);
                List<SseClient.Message> got = events(client);
                assertEquals(1, got.size(), got::toString);
                assertEquals(mine, json(got.get(0).data()).get("data").get("session_id").asText());
            }
        }

        @Test
        void aLastEventIdPastTheRetentionIsGoneBeforeTheStreamStarts() {
            Venue venue = aVenue();
            anOnlineSession(venue.location());
            sequencer.sequence();
            String oldest = eventsViaPages(venue.read()).get(0).get("id").asText();
            anOnlineSession(venue.location());
            sequencer.sequence();
            clock.advance(Duration.ofDays(8));
            try {
                retention.deleteExpired();
            } finally {
                clock.reset();
            }

            try (SseClient client = stream(venue.read(), "Last-Event-ID", oldest)) {
                assertEquals(410, client.status());
                assertTrue(
                        client.response()
                                .headers()
                                .firstValue("Content-Type")
                                .orElse("")
                                .startsWith("application/problem+json"));
                assertTrue(client.errorBody().contains("retention"), client.errorBody());
            }
        }
    }

    @Nested
    @DisplayName("online counts and heartbeat")
    class Counts {

        @Test
        void onlineCountsMatchSessionsCountOnlinePerVenue() {
            Venue venue = aVenue();
            Location quiet = given().location(venue.location().tenant());
            anOnlineSession(venue.location());
            anOnlineSession(venue.location());
            given().session(Fixtures.session(venue.location())); // closed an hour ago: not online

            try (SseClient client = stream(venue.read())) {
                SseClient.Message counts =
                        client
                                .awaitMessages(
                                        m ->
                                                m.stream()
                                                        .anyMatch(
                                                                x ->
                                                                        x.event()
                                                                                .equals(
                                                                                        "online.counts")))
                                .stream()
                                .filter(x -> x.event().equals("online.counts"))
                                .findFirst()
                                .orElseThrow();

                JsonNode data = json(counts.data());
                assertTrue(
                        data.get("at").asText().endsWith("Z")
                                || data.get("at").asText().contains("+"),
                        data::toString);
                Map<String, Long> streamed = new HashMap<>();
                data.get("data")
                        .forEach(
                                v ->
                                        streamed.put(
                                                v.get("location_id").asText(),
                                                v.get("count").asLong()));
                assertEquals(Set.of(venue.location().id(), quiet.id()), streamed.keySet());
                for (String location : streamed.keySet()) {
                    long counted =
                            http().get(
                                            "/sessions/count?online=true&location_id=" + location,
                                            venue.read().auth())
                                    .json()
                                    .get("count")
                                    .asLong();
                    assertEquals(counted, streamed.get(location), location);
                }
                assertEquals(2, streamed.get(venue.location().id()));
            }
        }

        @Test
        void aCountChangeArrivesWithinACountsInterval() {
            Venue venue = aVenue();
            try (SseClient client = stream(venue.read())) {
                client.awaitMessages(
                        m -> m.stream().anyMatch(x -> x.event().equals("online.counts")));

                anOnlineSession(venue.location());

                client.awaitMessages(
                        m ->
                                m.stream()
                                        .anyMatch(
                                                x ->
                                                        x.event().equals("online.counts")
                                                                && json(x.data())
                                                                                .get("data")
                                                                                .get(0)
                                                                                .get("count")
                                                                                .asLong()
                                                                        == 1));
            }
        }

        @Test
        void aLimitedKeyGetsOnlyItsVenuesCounts() {
            Venue venue = aVenue();
            given().location(venue.location().tenant());
            Key limited = given().readKey(venue.location().tenant(), venue.location());
            try (SseClient client = stream(limited)) {
                SseClient.Message counts =
                        client
                                .awaitMessages(
                                        m ->
                                                m.stream()
                                                        .anyMatch(
                                                                x ->
                                                                        x.event()
                                                                                .equals(
                                                                                        "online.counts")))
                                .stream()
                                .filter(x -> x.event().equals("online.counts"))
                                .findFirst()
                                .orElseThrow();

                JsonNode data = json(counts.data()).get("data");
                assertEquals(1, data.size(), data::toString);
                assertEquals(venue.location().id(), data.get(0).get("location_id").asText());
            }
        }

        @Test
        void aQuietStreamGetsKeepAliveComments() {
            Venue venue = aVenue();
            try (SseClient client = stream(venue.read())) {

                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> client.comments().contains("keep-alive"));
            }
        }
    }

    @Nested
    @DisplayName("limits")
    class Limits {

        @Test
        void theStreamOverTheLimitOfAKeyIs429AcrossTwoInstancesAndAClosedOneFreesItsSlot() {
            Venue venue = aVenue();
            Map<String, Object> properties = new HashMap<>(getProperties());
            properties.put("micronaut.server.port", "-1");
            properties.put("captiva.radius.enabled", "false");
            try (ApplicationContext other = ApplicationContext.run(properties, "test")) {
                EmbeddedServer otherServer = other.getBean(EmbeddedServer.class).start();
                List<SseClient> open = new ArrayList<>();
                try {
                    open.add(stream(venue.read()));
                    open.add(
                            SseClient.open(
                                    otherServer.getURL() + "/events/stream", venue.read().auth()));
                    open.add(stream(venue.read()));
                    open.forEach(c -> assertEquals(200, c.status()));

                    SseClient refused =
                            SseClient.open(
                                    otherServer.getURL() + "/events/stream", venue.read().auth());

                    assertEquals(429, refused.status(), refused::errorBody);
                    assertTrue(refused.response().headers().firstValue("Retry-After").isPresent());
                    assertTrue(refused.errorBody().contains("streams open"), refused::errorBody);
                    open.remove(0).close();
                    Awaitility.await()
                            .atMost(Duration.ofSeconds(10))
                            .until(
                                    () -> {
                                        SseClient again = stream(venue.read());
                                        again.close();
                                        return again.status() == 200;
                                    });
                } finally {
                    open.forEach(SseClient::close);
                }
            }
        }

        /**
         * Slots of a replica that died holding every stream of the key: rows nobody renews or
         * deletes.
         */
        void aDeadReplicasSlots(Key key, Duration lastRenewedAgo) throws SQLException {
            long tenantId = ids.decode(OpaqueIds.Kind.TENANT, key.tenant().id()).orElseThrow();
            long keyId = ids.decode(OpaqueIds.Kind.API_KEY, key.id()).orElseThrow();
            try (Connection db = TestDatabase.connect();
                    PreparedStatement st =
                            db.prepareStatement(
                                    """
                         INSERT INTO event_stream (id, tenant_id, api_key_id, seen_at)
                         VALUES (gen_random_uuid(), ?, ?, now() - CAST(? AS interval))
                         """)) {
                for (int i = 0; i < MAX_PER_KEY; i++) {
                    st.setLong(1, tenantId);
                    st.setLong(2, keyId);
                    st.setString(3, lastRenewedAgo.toMillis() + " milliseconds");
                    st.executeUpdate();
                }
            }
        }

        @Test
        void theSlotsOfAReplicaThatDiedFreeOnceTheirLeaseRanOut() throws SQLException {
            Venue venue = aVenue();
            aDeadReplicasSlots(venue.read(), LEASE.plusSeconds(1));

            try (SseClient stream = stream(venue.read())) {

                assertEquals(200, stream.status(), stream::errorBody);
            }
        }

        @Test
        void theSlotsOfAReplicaStillWithinTheirLeaseStillCount() throws SQLException {
            Venue venue = aVenue();
            aDeadReplicasSlots(venue.read(), LEASE.minusSeconds(10));

            try (SseClient stream = stream(venue.read())) {

                assertEquals(429, stream.status(), stream::errorBody);
            }
        }

        @Test
        void openingAStreamCostsOneRequestOfTheKeysRateLimit() {
            Location location = given().location(given().tenant());
            Key slow = given().key(location.tenant(), List.of("sessions:read"), null, 1);
            try (SseClient first = stream(slow);
                    SseClient second = stream(slow)) {
                assertEquals(200, first.status());
                assertEquals(429, second.status());
                assertEquals(
                        "0",
                        second.response()
                                .headers()
                                .firstValue("X-RateLimit-Remaining")
                                .orElseThrow());
            }
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        void aKeyInTheQueryStringIsRefusedNamingTheParameter() {
            Venue venue = aVenue();
            Http.Response r =
                    http().get("/events/stream?api_key=" + venue.read().key(), venue.read().auth());

            assertEquals(400, r.status());
            assertEquals("api_key", r.json().get("errors").get(0).get("name").asText());
        }

        @Test
        void withoutAHeaderKeyTheQueryKeyIsNotEnough() {
            Venue venue = aVenue();
            Http.Response r = http().get("/events/stream?api_key=" + venue.read().key());

            assertEquals(401, r.status());
        }

        @Test
        void aMalformedLastEventIdIsRefusedNamingIt() {
            Venue venue = aVenue();
            Http.Response r =
                    http().get(
                                    "/events/stream",
                                    "X-API-Key",
                                    venue.read().key(),
                                    "Last-Event-ID",
                                    "pR3zOKmvzqe");

            assertEquals(400, r.status());
            assertEquals("Last-Event-ID", r.json().get("errors").get(0).get("name").asText());
        }

        @Test
        void anAcceptWithoutEventStreamIs406() {
            Venue venue = aVenue();
            Http.Response r =
                    http().get(
                                    "/events/stream",
                                    "X-API-Key",
                                    venue.read().key(),
                                    "Accept",
                                    "application/json");

            assertEquals(406, r.status());
        }

        @Test
        void anotherTenantsLastEventIdIsRefused() {
            Venue mine = aVenue();
            Venue theirs = aVenue();
            anOnlineSession(theirs.location());
            sequencer.sequence();
            String theirId = eventsViaPages(theirs.read()).get(0).get("id").asText();

            Http.Response r =
                    http().get(
                                    "/events/stream",
                                    "X-API-Key",
                                    mine.read().key(),
                                    "Last-Event-ID",
                                    theirId);

            assertEquals(400, r.status());
            assertEquals("Last-Event-ID", r.json().get("errors").get(0).get("name").asText());
        }
    }
}
