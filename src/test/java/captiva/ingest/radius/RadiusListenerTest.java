package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusPacket;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Real UDP on loopback: each test is a NAS at its own 127.x address, registered through the admin
 * API.
 */
@MicronautTest(transactional = false)
@DisplayName("RADIUS accounting listener")
class RadiusListenerTest extends ApiTest {

    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);
    private static final byte[] SECRET = "s3cret-of-the-nas".getBytes(StandardCharsets.UTF_8);

    @Inject RadiusListener listener;
    @Inject MeterRegistry meters;
    @Inject AccountingPacketHandler handler;

    private Location venue;
    private Key key;
    private String nasAddress;

    @BeforeEach
    void aRegisteredNas() {
        venue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        nasAddress =
                "127.77."
                        + (NEXT_ADDRESS.get() / 250)
                        + "."
                        + (NEXT_ADDRESS.getAndIncrement() % 250 + 1);
        Http.Response nas =
                http().post(
                                "/admin/tenants/"
                                        + venue.tenant().id()
                                        + "/locations/"
                                        + venue.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        nasAddress,
                                        "secret",
                                        new String(SECRET, StandardCharsets.UTF_8)),
                                Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
    }

    private static RadiusPacketBuilder start(int identifier, String acctSessionId) {
        return RadiusPacketBuilder.accountingRequest(identifier)
                .acctStatusType(AcctStatusType.START)
                .acctSessionId(acctSessionId)
                .userName("C6D144DE")
                .callingStationId("14-2D-27-E7-40-2B")
                .framedIpAddress(ipv4("10.1.1.5"));
    }

    private static Inet4Address ipv4(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Sends from the NAS's address; returns the answer, or empty when none came within the wait.
     */
    private Optional<byte[]> exchange(byte[] datagram, String from, int waitMillis) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(from, 0))) {
            socket.setSoTimeout(waitMillis);
            socket.send(
                    new DatagramPacket(
                            datagram,
                            datagram.length,
                            new InetSocketAddress("127.0.0.1", listener.port())));
            DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
            socket.receive(answer);
            return Optional.of(Arrays.copyOf(answer.getData(), answer.getLength()));
        } catch (SocketTimeoutException none) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails unless an Accounting-Response came back. */
    private static void acknowledged(Optional<byte[]> answer) {
        assertTrue(answer.isPresent(), "no Accounting-Response");
    }

    private Optional<byte[]> exchange(byte[] datagram) {
        return exchange(datagram, nasAddress, 3000);
    }

    private double dropped(String reason) {
        var counter =
                meters.find("captiva.radius.packets")
                        .tags("outcome", "dropped", "reason", reason)
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    private JsonNode sessions() {
        return http().get("/sessions", key.auth()).json().get("data");
    }

    @Test
    void startIsStoredThenAnsweredWithAValidAccountingResponse() throws Exception {
        byte[] request = start(7, "sess-1").build(SECRET);

        byte[] answer =
                exchange(request).orElseThrow(() -> new AssertionError("no Accounting-Response"));

        RadiusPacket response = RadiusPacket.decode(answer, answer.length);
        assertEquals(RadiusPacket.ACCOUNTING_RESPONSE, response.code());
        assertEquals(7, response.identifier());
        RadiusPacket sent = RadiusPacket.decode(request, request.length);
        assertArrayEquals(sent.accountingResponse(SECRET), answer);
        JsonNode session = sessions().get(0);
        assertEquals("14:2d:27:e7:40:2b", session.get("guest_device_mac").asText());
        assertEquals("10.1.1.5", session.get("guest_device_ip").asText());
        assertEquals("Online", session.get("connection_status").asText());
    }

    @Test
    void retransmitIsAnsweredAgainAndStoredOnce() {
        byte[] request = start(8, "sess-2").build(SECRET);

        byte[] first = exchange(request).orElseThrow();
        byte[] again = exchange(request).orElseThrow();

        assertArrayEquals(first, again);
        assertEquals(1, sessions().size());
    }

    @Test
    void interimAndStopCompleteTheSessionWithGigawords() {
        acknowledged(exchange(start(1, "sess-3").build(SECRET)));
        acknowledged(
                exchange(
                        RadiusPacketBuilder.accountingRequest(2)
                                .acctStatusType(AcctStatusType.STOP)
                                .acctSessionId("sess-3")
                                .acctSessionTime(545)
                                .outputOctets(5_000_000_000L)
                                .inputOctets(900_580)
                                .acctTerminateCause(1)
                                .build(SECRET)));

        JsonNode session = sessions().get(0);
        assertEquals("Offline", session.get("connection_status").asText());
        assertEquals(5_000_000_000L, session.get("downloaded_bytes").asLong());
        assertEquals("5.00 GB", session.get("downloaded_data").asText());
        assertEquals("900.58 kB", session.get("uploaded_data").asText());
    }

    @Test
    void wrongSecretIsDroppedUnansweredAndNothingIsWritten() {
        double before = dropped("bad_authenticator");

        Optional<byte[]> answer =
                exchange(
                        start(9, "forged").build("not-the-secret".getBytes(StandardCharsets.UTF_8)),
                        nasAddress,
                        500);

        assertTrue(answer.isEmpty());
        assertEquals(before + 1, dropped("bad_authenticator"));
        assertEquals(0, sessions().size());
    }

    @Test
    void unknownSourceIsDroppedUnanswered() {
        double before = dropped("unknown_nas");

        Optional<byte[]> answer = exchange(start(10, "stranger").build(SECRET), "127.78.0.1", 500);

        assertTrue(answer.isEmpty());
        assertEquals(before + 1, dropped("unknown_nas"));
    }

    @Test
    void malformedDatagramIsDroppedAndTheListenerGoesOn() {
        double before = dropped("malformed");

        assertTrue(exchange(new byte[] {4, 1, 0, 99, 1, 2, 3}, nasAddress, 500).isEmpty());

        assertEquals(before + 1, dropped("malformed"));
        assertTrue(exchange(start(11, "after-garbage").build(SECRET)).isPresent());
    }

    @Test
    void dropsReachThePrometheusScrapeWithTheirReason() {
        exchange(new byte[] {4, 1, 0, 99, 1, 2, 3}, nasAddress, 200);
        acknowledged(exchange(start(21, "counted").build(SECRET)));

        String scrape = http().get("/prometheus").body();

        assertTrue(
                scrape.contains(
                        "captiva_radius_packets_total{outcome=\"dropped\",reason=\"malformed\"}"),
                scrape);
        assertTrue(scrape.contains("captiva_radius_packets_total{outcome=\"stored\""), scrape);
    }

    @Test
    void aNasLookupTheDatabaseFailsIsCountedAndTheRetransmitIsJudgedAfresh() throws Exception {
        double before = dropped("failed");
        byte[] request = start(22, "while-nas-is-away").build(SECRET);
        Optional<byte[]> whileAway;

        try (var db = captiva.testing.TestDatabase.connect();
                var st = db.createStatement()) {
            st.execute("ALTER TABLE nas RENAME TO nas_away"); // the lookup's query now fails
            try {
                whileAway = exchange(request, nasAddress, 500);
            } finally {
                st.execute("ALTER TABLE nas_away RENAME TO nas");
            }
        }

        assertTrue(whileAway.isEmpty());
        assertEquals(before + 1, dropped("failed"));
        assertTrue(
                exchange(request).isPresent(), "the failure must not be cached as an unknown NAS");
        assertEquals(1, sessions().size());
    }

    @Test
    void theSamePacketFromTwoNasOfTwoTenantsIsTwoSessionsAndOneStopEndsOnlyItsOwn() {
        Location otherVenue = given().location(given().tenant());
        Key otherKey = given().readKey(otherVenue.tenant());
        String otherAddress = "127.77.255." + (NEXT_ADDRESS.getAndIncrement() % 250 + 1);
        given().nas(otherVenue, otherAddress, null, new String(SECRET, StandardCharsets.UTF_8));
        byte[] sameStart =
                start(23, "same-id").build(SECRET); // same secret, so byte for byte the same packet

        acknowledged(exchange(sameStart));
        acknowledged(exchange(sameStart, otherAddress, 3000));
        assertEquals(
                1,
                http().get("/sessions/count?online=true", otherKey.auth())
                        .json()
                        .get("count")
                        .asLong(),
                "the second NAS's Start was taken for a retransmit of the first's");
        acknowledged(
                exchange(
                        RadiusPacketBuilder.accountingRequest(24)
                                .acctStatusType(AcctStatusType.STOP)
                                .acctSessionId("same-id")
                                .acctSessionTime(60)
                                .build(SECRET),
                        otherAddress,
                        3000));

        assertEquals("Online", sessions().get(0).get("connection_status").asText());
        assertEquals(1, sessions().size());
        JsonNode other = http().get("/sessions", otherKey.auth()).json().get("data");
        assertEquals(1, other.size());
        assertEquals("Offline", other.get(0).get("connection_status").asText());
    }

    @Test
    void anUnknownSendersNasIdentifierCannotForgeLogLines() {
        String forged =
                "ap\n16:00:00.000 WARN  c.i.r.RadiusListener - all is well\u001b[2J"
                        + "x".repeat(150);
        byte[] request = start(25, "x").nasIdentifier(forged).build(SECRET);

        var verdict =
                handler.handle(request, request.length, new InetSocketAddress("127.78.0.2", 1813));

        var drop = (AccountingPacketHandler.Verdict.Drop) verdict;
        assertEquals(DropReason.UNKNOWN_NAS, drop.reason());
        assertTrue(drop.detail().chars().noneMatch(Character::isISOControl), drop.detail());
        assertTrue(drop.detail().length() < 120, drop.detail());
    }

    @Test
    void accessRequestOnTheAccountingPortIsDropped() {
        byte[] accessRequest = start(12, "x").build(SECRET);
        accessRequest[0] = 1;

        assertTrue(exchange(accessRequest, nasAddress, 500).isEmpty());
    }

    @Test
    void startWithoutAcctSessionIdIsUnusable() {
        double before = dropped("unusable");

        Optional<byte[]> answer =
                exchange(
                        RadiusPacketBuilder.accountingRequest(13)
                                .acctStatusType(AcctStatusType.START)
                                .userName("x")
                                .build(SECRET),
                        nasAddress,
                        500);

        assertTrue(answer.isEmpty());
        assertEquals(before + 1, dropped("unusable"));
    }

    @Test
    void statusServerIsAnswered() throws Exception {
        byte[] authenticator = new byte[16];
        new java.security.SecureRandom().nextBytes(authenticator);

        byte[] answer =
                exchange(RadiusPacketBuilder.statusServer(14, authenticator).build(SECRET))
                        .orElseThrow();

        assertEquals(
                RadiusPacket.ACCOUNTING_RESPONSE,
                RadiusPacket.decode(answer, answer.length).code());
    }

    @Test
    void accountingOnClosesTheNasSessions() {
        acknowledged(exchange(start(15, "before-reboot").build(SECRET)));

        acknowledged(
                exchange(
                        RadiusPacketBuilder.accountingRequest(16)
                                .acctStatusType(AcctStatusType.ACCOUNTING_ON)
                                .build(SECRET)));

        assertEquals("Offline", sessions().get(0).get("connection_status").asText());
    }

    @Test
    void nasRegisteredByIdentifierIsFoundBehindASharedAddress() {
        String identifier = "ap-behind-nat-" + nasAddress;
        http().post(
                        "/admin/tenants/"
                                + venue.tenant().id()
                                + "/locations/"
                                + venue.id()
                                + "/nas",
                        Map.of(
                                "ip_address",
                                "192.0.2.200",
                                "identifier",
                                identifier,
                                "secret",
                                "other-secret"),
                        Fixtures.admin());

        Optional<byte[]> answer =
                exchange(
                        start(17, "via-nat")
                                .nasIdentifier(identifier)
                                .build("other-secret".getBytes(StandardCharsets.UTF_8)),
                        "127.79.0.1",
                        3000);

        assertTrue(answer.isPresent());
        assertEquals(1, sessions().size());
    }

    /**
     * Leaving the NUL out would make "nul\0id" and "nulid" one session; keeping it, PostgreSQL
     * refuses the text.
     */
    @Test
    void aNulInsideAcctSessionIdOrUserNameIsACountedDropNotAChangedValue() {
        double before = dropped("nul_in_text");

        Optional<byte[]> sessionId =
                exchange(
                        RadiusPacketBuilder.accountingRequest(20)
                                .acctStatusType(AcctStatusType.START)
                                .acctSessionId("nul\0id")
                                .build(SECRET),
                        nasAddress,
                        500);
        Optional<byte[]> userName =
                exchange(
                        RadiusPacketBuilder.accountingRequest(21)
                                .acctStatusType(AcctStatusType.START)
                                .acctSessionId("nulid")
                                .userName("bad\0name")
                                .build(SECRET),
                        nasAddress,
                        500);

        assertTrue(sessionId.isEmpty(), "unanswered, so the NAS does not take it as stored");
        assertTrue(userName.isEmpty());
        assertEquals(before + 2, dropped("nul_in_text"));
        assertEquals(0, sessions().size());
    }

    @Test
    void trailingNulsAreATerminatorNotPartOfTheValue() {
        acknowledged(
                exchange(
                        RadiusPacketBuilder.accountingRequest(22)
                                .acctStatusType(AcctStatusType.START)
                                .acctSessionId("padded\0\0")
                                .userName("guest\0")
                                .framedIpAddress(ipv4("10.1.1.5"))
                                .build(SECRET)));

        assertEquals(1, sessions().size());
        assertEquals(
                "guest",
                http().get("/sessions/10.1.1.5", key.auth()).json().get("username").asText());
    }

    @Test
    void aPacketTheDatabaseRefusesIsDroppedAloneAndTheRestOfItsBatchIsAnswered() throws Exception {
        // A check makes PostgreSQL refuse one session's data as it refuses bad text (a data
        // exception, SQLSTATE 22P02: the cast of its id to a number). A check rather than a
        // trigger, which Citus does not allow on a distributed table; NOT VALID, so no row is read.
        String poison = "poison-" + nasAddress;
        try (var db = captiva.testing.TestDatabase.connect();
                var st = db.createStatement()) {
            st.execute(
                    "ALTER TABLE session ADD CONSTRAINT refuse_poison CHECK (CASE WHEN acct_session_id = '"
                            + poison
                            + "' THEN acct_session_id::int > 0 ELSE true END) NOT VALID");
        }
        try {
            double before = dropped("unusable");
            List<byte[]> good = new java.util.ArrayList<>();
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(nasAddress, 0))) {
                socket.setSoTimeout(3000);
                InetSocketAddress server = new InetSocketAddress("127.0.0.1", listener.port());
                byte[] bad = start(100, poison).build(SECRET);
                socket.send(new DatagramPacket(bad, bad.length, server));
                for (int i = 0; i < 20; i++) {
                    byte[] packet = start(101 + i, "good-" + i).build(SECRET);
                    socket.send(new DatagramPacket(packet, packet.length, server));
                }
                for (int i = 0; i < 20; i++) {
                    DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
                    socket.receive(answer);
                    good.add(Arrays.copyOf(answer.getData(), answer.getLength()));
                }
                socket.setSoTimeout(500);
                assertThrows(
                        SocketTimeoutException.class,
                        () -> socket.receive(new DatagramPacket(new byte[4096], 4096)),
                        "the refused packet must not be answered");
            }

            assertEquals(20, good.size());
            assertEquals(
                    20, http().get("/sessions/count", key.auth()).json().get("count").asLong());
            assertEquals(before + 1, dropped("unusable"));
        } finally {
            try (var db = captiva.testing.TestDatabase.connect();
                    var st = db.createStatement()) {
                st.execute("ALTER TABLE session DROP CONSTRAINT refuse_poison");
            }
        }
    }

    @Test
    void eventTimestampMinusDelayIsTheEventTime() {
        Instant stamped =
                Instant.now().minusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

        acknowledged(
                exchange(
                        start(18, "delayed")
                                .eventTimestamp(stamped)
                                .acctDelayTime(30)
                                .build(SECRET)));

        assertEquals(
                stamped.minusSeconds(30).toString().replace("Z", "+00:00"),
                sessions().get(0).get("start_time").asText());
    }

    @Test
    void eventTimestampFromABrokenClockIsNotBelieved() {
        Instant before = Instant.now().minusSeconds(1);

        acknowledged(
                exchange(
                        start(19, "future")
                                .eventTimestamp(Instant.parse("2099-01-01T00:00:00Z"))
                                .build(SECRET)));

        Instant start = Instant.parse(sessions().get(0).get("start_time").asText());
        assertTrue(
                !start.isBefore(before.minusSeconds(1))
                        && start.isBefore(Instant.now().plusSeconds(1)),
                start.toString());
    }
}
