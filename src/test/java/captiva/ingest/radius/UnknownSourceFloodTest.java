package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A flood of Accounting-Requests with random NAS-Identifiers, over real UDP on loopback, from
 * source addresses of their own (127.93.x.y): the database sees exactly the lookups the budget
 * allows, every flood packet is dropped unanswered with a counted reason, and a registered NAS at
 * another address has every packet stored and answered meanwhile. The clock is frozen, so no token
 * refills unseen: the counts are exact, not timed.
 */
@MicronautTest(transactional = false)
@DisplayName("RADIUS flood from unknown sources")
class UnknownSourceFloodTest extends ApiTest {

    private static final int PER_SOURCE = 5;
    private static final int TOTAL = 20;
    private static final int ROUNDS = 30;
    private static final byte[] SECRET = "registered-nas-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger NEXT_NAS = new AtomicInteger(1);
    private static final AtomicInteger NEXT_DAY = new AtomicInteger(1);

    @Inject RadiusListener listener;
    @Inject MeterRegistry meters;

    private final Random random = new Random(4);
    private Location venue;
    private Key key;
    private String nasAddress;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.radius.nas-lookups.per-source",
                String.valueOf(PER_SOURCE),
                "captiva.radius.nas-lookups.total",
                String.valueOf(TOTAL));
    }

    @BeforeEach
    void aRegisteredNasAndAClockThatStandsStill() {
        venue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        nasAddress = "127.93.0." + NEXT_NAS.getAndIncrement();
        // A day apart per test: every bucket is full again and every cached lookup expired.
        clock.freezeAt(Instant.now().plus(Duration.ofDays(NEXT_DAY.getAndIncrement())));
    }

    @AfterEach
    void realTimeAgain() {
        clock.reset();
    }

    @Test
    void oneSourceWithRandomIdentifiersCostsItsBudgetWhileARegisteredNasIsAnsweredThroughout() {
        given().nas(venue, nasAddress, null, new String(SECRET, StandardCharsets.UTF_8));
        Counts before = counts();

        for (int round = 0; round < ROUNDS; round++) {
            flood("127.93.1.1", 200);
            if (round == ROUNDS / 2) {
                clock.advance(
                        Duration.ofSeconds(
                                11)); // past nas-cache-ttl: the registered NAS is looked up again
            }
            storedAndAnswered(nasAddress, null, round);
        }

        Counts after = counts();
        assertEquals(
                2 * PER_SOURCE,
                after.unknown - before.unknown,
                "one bucket, then one refill to its capacity");
        assertEquals(
                2,
                after.found - before.found,
                "the registered NAS: first packet, then once past the TTL");
        assertEquals(ROUNDS * 200 - 2 * PER_SOURCE, after.overBudget - before.overBudget);
        assertEquals(2 * PER_SOURCE, after.unknownNas - before.unknownNas);
        assertAllSessionsStored();
    }

    @Test
    void manySourcesTogetherCostAtMostTheSharedBudget() {
        String identifier = "ap-" + nasAddress;
        given().nas(
                        venue,
                        "203.0.113." + NEXT_NAS.get(),
                        identifier,
                        new String(SECRET, StandardCharsets.UTF_8));
        Counts before = counts();
        storedAndAnswered(
                nasAddress,
                identifier,
                0); // found by its registered identifier: the token is given back

        for (int round = 1; round < ROUNDS; round++) {
            for (int source = 1; source <= 8; source++) {
                flood("127.93.2." + source, 25);
            }
            storedAndAnswered(nasAddress, identifier, round);
        }

        Counts after = counts();
        assertEquals(1, after.found - before.found);
        assertEquals(
                TOTAL,
                after.unknown - before.unknown,
                "8 sources of " + PER_SOURCE + " share " + TOTAL);
        assertEquals((ROUNDS - 1) * 8 * 25 - TOTAL, after.overBudget - before.overBudget);
        assertAllSessionsStored();
    }

    @Test
    void randomIdentifiersFromARegisteredNasAddressAreBudgetedToo() {
        given().nas(venue, nasAddress, null, new String(SECRET, StandardCharsets.UTF_8));
        storedAndAnswered(nasAddress, null, 0);
        Counts before = counts();

        for (int round = 1; round < ROUNDS; round++) {
            flood(
                    nasAddress,
                    100); // spoofed, or the NAS gone rogue: each identifier is new, the address
            // known
            storedAndAnswered(nasAddress, null, round);
        }

        Counts after = counts();
        // The address fallback finds the NAS for any identifier, so these lookups "hit" and still
        // cost a token.
        assertEquals(
                PER_SOURCE - 1,
                after.found - before.found,
                "its first packet took one token already");
        assertEquals(PER_SOURCE - 1, after.badAuthenticator - before.badAuthenticator);
        assertEquals((ROUNDS - 1) * 100 - (PER_SOURCE - 1), after.overBudget - before.overBudget);
        assertAllSessionsStored();
    }

    /**
     * Accounting-Requests with a new random NAS-Identifier each, signed with a secret nobody
     * registered.
     */
    private void flood(String from, int packets) {
        byte[] wrongSecret = "not-registered".getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(from, 0))) {
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", listener.port());
            for (int i = 0; i < packets; i++) {
                byte[] datagram =
                        RadiusPacketBuilder.accountingRequest(random.nextInt(256))
                                .acctStatusType(AcctStatusType.START)
                                .acctSessionId("flood-" + random.nextLong())
                                .nasIdentifier("rogue-" + Long.toHexString(random.nextLong()))
                                .build(wrongSecret);
                socket.send(new DatagramPacket(datagram, datagram.length, server));
            }
            socket.setSoTimeout(1);
            assertThrows(
                    SocketTimeoutException.class,
                    () -> socket.receive(new DatagramPacket(new byte[4096], 4096)),
                    "a flood packet was answered");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the round's Start from the registered NAS and fails unless it is answered. */
    private void storedAndAnswered(String from, String nasIdentifier, int round) {
        RadiusPacketBuilder start =
                RadiusPacketBuilder.accountingRequest(round % 256)
                        .acctStatusType(AcctStatusType.START)
                        .acctSessionId("round-" + round)
                        .framedIpAddress(ipv4(roundIp(round)));
        if (nasIdentifier != null) {
            start.nasIdentifier(nasIdentifier);
        }
        byte[] datagram = start.build(SECRET);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(from, 0))) {
            socket.setSoTimeout(5000);
            socket.send(
                    new DatagramPacket(
                            datagram,
                            datagram.length,
                            new InetSocketAddress("127.0.0.1", listener.port())));
            socket.receive(new DatagramPacket(new byte[4096], 4096));
        } catch (SocketTimeoutException e) {
            fail(
                    "round "
                            + round
                            + ": the registered NAS got no Accounting-Response during the flood");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Exactly one session per round, all of the registered NAS's tenant, and nothing of the flood
     * anywhere.
     */
    private void assertAllSessionsStored() {
        Set<String> expected = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            expected.add(roundIp(round));
        }
        JsonNode sessions = http().get("/sessions?per_page=100", key.auth()).json().get("data");
        Set<String> stored = new HashSet<>();
        sessions.forEach(session -> stored.add(session.get("guest_device_ip").asText()));
        assertEquals(ROUNDS, sessions.size());
        assertEquals(expected, stored);
        try (var db = TestDatabase.connect();
                var st = db.createStatement();
                var flooded =
                        st.executeQuery(
                                "SELECT count(*) FROM session WHERE acct_session_id LIKE 'flood-%'")) {
            flooded.next();
            assertEquals(0, flooded.getLong(1));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String roundIp(int round) {
        return "10.93." + (round / 250) + "." + (round % 250 + 1);
    }

    private static Inet4Address ipv4(String literal) {
        try {
            return (Inet4Address) InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Counts(
            double found,
            double unknown,
            double overBudget,
            double unknownNas,
            double badAuthenticator) {}

    private Counts counts() {
        return new Counts(
                lookups("found"),
                lookups("unknown"),
                dropped("nas_lookup_over_budget"),
                dropped("unknown_nas"),
                dropped("bad_authenticator"));
    }

    private double lookups(String result) {
        var counter = meters.find("captiva.radius.nas.lookups").tags("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    private double dropped(String reason) {
        var counter =
                meters.find("captiva.radius.packets")
                        .tags("outcome", "dropped", "reason", reason)
                        .counter();
        return counter == null ? 0 : counter.count();
    }
}
