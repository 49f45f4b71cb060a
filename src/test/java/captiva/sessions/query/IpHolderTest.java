package captiva.sessions.query;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Instant;
import java.util.Collections;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("GET /sessions/{ip_address}")
class IpHolderTest extends ApiTest {

    private Tenant tenant;
    private Location hotel;
    private Location mall;
    private Key key;
    private final Instant now = Instant.now();

    @BeforeAll
    void sessions() {
        tenant = given().tenant();
        hotel = given().location(tenant);
        mall = given().location(tenant);
        key = given().readKey(tenant);
        given().sessions(
                        // 10.1.1.5 at the hotel: Shagun now, online for 42 s; Old Guest before
                        session(hotel)
                                .ip("10.1.1.5")
                                .username("OLD00001")
                                .started("2024-01-01T10:00:00Z")
                                .ended("2024-01-01T11:00:00Z")
                                .guest("Old Guest", "old@example.com", null),
                        session(hotel)
                                .ip("10.1.1.5")
                                .username("C6D144DE")
                                .started(now.minusSeconds(42))
                                .online()
                                .guest("Shagun Goel", "shagun1486@outlook.com", null),
                        // the same private address at the mall, more recently started but already
                        // over
                        session(mall)
                                .ip("10.1.1.5")
                                .username("MALL0001")
                                .started(now.minusSeconds(30))
                                .ended(now.minusSeconds(10))
                                .guest("Mall Guest", "mall@example.com", null),
                        session(hotel)
                                .ip("10.1.1.6")
                                .username("A1B2C3D4")
                                .started("2024-02-01T10:00:00Z")
                                .ended("2024-02-01T10:02:00Z")
                                .guest("John Doe", "john@example.com", null),
                        session(hotel)
                                .ip("2001:db8::7")
                                .username("V6GUEST1")
                                .started(now.minusSeconds(5))
                                .online());
    }

    private Http.Response lookup(String path) {
        return http().get("/sessions/" + path, key.auth());
    }

    @Test
    void oneAddressAnswersAnObjectWithTheOnlineHolder() {
        JsonNode holder = lookup("10.1.1.5").json();

        assertTrue(holder.isObject());
        assertEquals("10.1.1.5", holder.get("ip_address").asText());
        assertEquals("C6D144DE", holder.get("username").asText());
        assertEquals("Shagun Goel", holder.get("name").asText());
        assertEquals("shagun1486@outlook.com", holder.get("email").asText());
        long duration = holder.get("duration").asLong();
        assertTrue(duration >= 42 && duration < 120, "live duration, was " + duration);
    }

    @Test
    void severalAddressesAnswerAnArrayInTheOrderAsked() {
        JsonNode holders = lookup("10.1.1.6,10.1.1.5").json();

        assertTrue(holders.isArray());
        assertEquals(2, holders.size());
        assertEquals("10.1.1.6", holders.get(0).get("ip_address").asText());
        assertEquals("John Doe", holders.get(0).get("name").asText());
        assertEquals(120, holders.get(0).get("duration").asLong());
        assertEquals("C6D144DE", holders.get(1).get("username").asText());
    }

    @Test
    void ofTwoOnlineHoldersTheLaterStartedAnswersThoughTheOtherWasHeardFromLast() {
        given().sessions(
                        session(mall)
                                .ip("10.1.1.9")
                                .username("LATER001")
                                .started(now.minusSeconds(20))
                                .online());
        // Imported second, so heard from last: the earlier rule (last heard from) picked this one.
        given().sessions(
                        session(hotel)
                                .ip("10.1.1.9")
                                .username("EARLIER1")
                                .started(now.minusSeconds(600))
                                .online());

        assertEquals("LATER001", lookup("10.1.1.9").json().get("username").asText());
        assertEquals(
                "EARLIER1",
                lookup("10.1.1.9?location_id=" + hotel.id()).json().get("username").asText());
    }

    @Test
    void withNobodyOnlineTheMostRecentSessionAnswers() {
        assertEquals("A1B2C3D4", lookup("10.1.1.6").json().get("username").asText());
    }

    @Test
    void locationIdNarrowsAnAddressThatRepeatsAcrossVenues() {
        assertEquals(
                "MALL0001",
                lookup("10.1.1.5?location_id=" + mall.id()).json().get("username").asText());
    }

    @Test
    void atAnswersWhoHeldTheAddressThen() {
        JsonNode holder =
                lookup("10.1.1.5?location_id=" + hotel.id() + "&at=2024-01-01T10:30:00Z").json();

        assertEquals("OLD00001", holder.get("username").asText());
        assertEquals(3600, holder.get("duration").asLong());
    }

    @Test
    void atBetweenSessionsFindsNobody() {
        assertEquals(404, lookup("10.1.1.6?at=2024-02-01T11:00:00Z").status());
    }

    @Test
    void ipv6AddressesResolveInAnySpelling() {
        assertEquals("V6GUEST1", lookup("2001:0db8:0:0:0:0:0:7").json().get("username").asText());
    }

    @Test
    void eachAddressIsEchoedAsTheClientSpelledIt() {
        JsonNode holders = lookup("2001:db8::7,2001:0db8:0:0:0:0:0:7").json();

        assertEquals("2001:db8::7", holders.get(0).get("ip_address").asText());
        assertEquals("2001:0db8:0:0:0:0:0:7", holders.get(1).get("ip_address").asText());
    }

    @Test
    void unknownSingleAddressIsA404Problem() {
        Http.Response r = lookup("192.0.2.1");

        assertEquals(404, r.status());
        assertEquals("application/problem+json", r.contentType());
    }

    @Test
    void unknownAddressesAreLeftOutOfAnArray() {
        JsonNode holders = lookup("192.0.2.1,10.1.1.6").json();

        assertEquals(1, holders.size());
        assertEquals("10.1.1.6", holders.get(0).get("ip_address").asText());
    }

    @Test
    void hundredAddressesAreAccepted() {
        String hundred =
                IntStream.range(0, 100)
                        .mapToObj(i -> "10.9.0." + i)
                        .collect(Collectors.joining(","));

        Http.Response r = lookup(hundred);

        assertEquals(200, r.status(), r.body());
        assertEquals(0, r.json().size());
    }

    @Test
    void hundredAndOneAddressesAreRejected() {
        String tooMany = String.join(",", Collections.nCopies(101, "10.1.1.5"));

        Http.Response r = lookup(tooMany);

        assertEquals(400, r.status());
        assertEquals("ip_address", r.json().get("errors").get(0).get("name").asText());
    }

    @Test
    void malformedIpv6AddressesAreRejectedNamingTheParameter() {
        Http.Response r = lookup("2001:db8::1,2001:db8::zz,2001:db8:1:2:3:4:5:6:7,fe80::1%25eth0");

        assertEquals(400, r.status());
        assertEquals(3, r.json().get("errors").size(), r.body());
        r.json()
                .get("errors")
                .forEach(error -> assertEquals("ip_address", error.get("name").asText()));
    }

    @Test
    void eachMalformedAddressIsNamed() {
        Http.Response r = lookup("10.1.1.5,999.1.1.1,example.com");

        assertEquals(400, r.status());
        assertEquals(2, r.json().get("errors").size(), r.body());
    }

    @Test
    void malformedAtAndLocationIdAreRejected() {
        assertEquals(400, lookup("10.1.1.5?at=yesterday").status());
        assertEquals(400, lookup("10.1.1.5?at=%2B999999999-12-31T00:00:00Z").status());
        assertEquals(400, lookup("10.1.1.5?location_id=1").status());
    }

    @Test
    void anotherTenantsAddressesAreInvisible() {
        Key stranger = given().readKey(given().tenant());

        assertEquals(404, http().get("/sessions/10.1.1.5", stranger.auth()).status());
        assertEquals(0, http().get("/sessions/10.1.1.5,10.1.1.6", stranger.auth()).json().size());
    }

    @Test
    void anotherTenantsLocationIdLooksUnknown() {
        Location foreign = given().location(given().tenant());

        assertEquals(404, lookup("10.1.1.5?location_id=" + foreign.id()).status());
    }

    @Test
    void locationRestrictedKeySeesOnlyItsVenuesHolders() {
        Key mallOnly = given().readKey(tenant, mall);

        assertEquals(
                "MALL0001",
                http().get("/sessions/10.1.1.5", mallOnly.auth()).json().get("username").asText());
        assertEquals(404, http().get("/sessions/10.1.1.6", mallOnly.auth()).status());
    }
}
