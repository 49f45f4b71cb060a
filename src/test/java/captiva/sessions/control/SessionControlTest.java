package captiva.sessions.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusPacket;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.ingest.radius.RadiusListener;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * POST /sessions/{id}/disconnect and /coa against a real DAS: FreeRADIUS (Debian's freeradius) with
 * a {@code listen { type = coa }} that ACKs, or NAKs with an Error-Cause, as each test's session
 * asks; and a UDP socket that never answers, for timeouts and to see what (and whether anything)
 * was sent. Sessions are made by real RADIUS accounting over UDP. The FreeRADIUS tests are skipped
 * where it is not installed.
 */
@MicronautTest(transactional = false)
@DisplayName("session control (Disconnect/CoA)")
class SessionControlTest extends ApiTest {

    private static final String ACCOUNTING_SECRET = "accounting-secret";
    private static final String DAS_SECRET = "das-secret-of-the-ap";
    private static final AtomicInteger MACS = new AtomicInteger();

    @Inject RadiusListener listener;

    private Process freeradius;
    private Path freeradiusDir;
    private int freeradiusPort;
    private DatagramSocket silentDas;
    private Location venue;
    private Key readKey;
    private Key controlKey;
    private String nasWithFreeradius;
    private String nasWithSilentDas;
    private String nasWithoutDas;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.radius.accounting-port",
                "0",
                "captiva.session-control.timeout",
                "300ms",
                "captiva.session-control.attempts",
                "2");
    }

    @BeforeAll
    void aVenueWithThreeNas() throws Exception {
        silentDas = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        venue = given().location(given().tenant());
        readKey = given().readKey(venue.tenant());
        controlKey = given().key(venue.tenant(), List.of("sessions:control"), null, 100_000);
        if (Files.isExecutable(Path.of("/usr/sbin/freeradius"))) {
            startFreeradius();
        }
        nasWithFreeradius = nas("das-fr-" + venue.id(), freeradiusPort == 0 ? 9 : freeradiusPort);
        nasWithSilentDas = nas("das-silent-" + venue.id(), silentDas.getLocalPort());
        nasWithoutDas = nas("das-none-" + venue.id(), null);
    }

    @AfterAll
    void stopPeers() throws InterruptedException {
        if (freeradius != null) {
            freeradius.destroy();
            freeradius.waitFor();
        }
        silentDas.close();
    }

    private String nas(String identifier, Integer dasPort) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ip_address", "127.0.0.1");
        body.put("identifier", identifier);
        body.put("secret", ACCOUNTING_SECRET);
        if (dasPort != null) {
            body.put("das_address", "127.0.0.1");
            body.put("das_port", dasPort);
            body.put("das_secret", DAS_SECRET);
        }
        Http.Response nas =
                http().post(
                                "/admin/tenants/"
                                        + venue.tenant().id()
                                        + "/locations/"
                                        + venue.id()
                                        + "/nas",
                                body,
                                Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
        return identifier;
    }

    /**
     * FreeRADIUS as a NAS's DAS: it requires a Message-Authenticator, NAKs a session whose
     * Acct-Session-Id starts with "nak" (Session-Context-Not-Found), a request without User-Name,
     * Calling-Station-Id or NAS-Identifier (Missing-Attribute), a CoA without Session-Timeout 3600
     * (Invalid-Attribute-Value), and ACKs the rest.
     */
    private void startFreeradius() throws Exception {
        try (DatagramSocket free = new DatagramSocket(0)) {
            freeradiusPort = free.getLocalPort();
        }
        freeradiusDir = Files.createTempDirectory("freeradius-das");
        String dir = freeradiusDir.toString();
        Files.writeString(freeradiusDir.resolve("dictionary"), "");
        Files.writeString(
                freeradiusDir.resolve("radiusd.conf"),
                String.join(
                        "\n",
                        "prefix = /usr",
                        "exec_prefix = /usr",
                        "sysconfdir = /etc",
                        "localstatedir = " + dir,
                        "sbindir = /usr/sbin",
                        "logdir = " + dir,
                        "raddbdir = " + dir,
                        "radacctdir = " + dir,
                        "name = freeradius",
                        "confdir = " + dir,
                        "run_dir = " + dir,
                        "db_dir = " + dir,
                        "libdir = /usr/lib/freeradius",
                        "pidfile = " + dir + "/freeradius.pid",
                        "max_request_time = 30",
                        "cleanup_delay = 0",
                        "max_requests = 1024",
                        "hostname_lookups = no",
                        "log {",
                        "  destination = stdout",
                        "}",
                        "security {",
                        "  allow_core_dumps = no",
                        "  max_attributes = 200",
                        "  reject_delay = 0",
                        "  status_server = no",
                        "}",
                        "thread pool {",
                        "  start_servers = 1",
                        "  max_servers = 2",
                        "  min_spare_servers = 1",
                        "  max_spare_servers = 2",
                        "}",
                        "client captiva {",
                        "  ipaddr = 127.0.0.1",
                        "  secret = " + DAS_SECRET,
                        "  require_message_authenticator = yes",
                        "}",
                        "modules {",
                        "  always reject {",
                        "    rcode = reject",
                        "  }",
                        "  always ok {",
                        "    rcode = ok",
                        "  }",
                        "}",
                        "listen {",
                        "  type = coa",
                        "  ipaddr = 127.0.0.1",
                        "  port = " + freeradiusPort,
                        "  virtual_server = das",
                        "}",
                        "server das {",
                        "  recv-coa {",
                        "    if (&Acct-Session-Id =~ /^nak/) {",
                        "      update reply {",
                        "        &Error-Cause := Session-Context-Not-Found",
                        "      }",
                        "      reject",
                        "    }",
                        "    if (!&User-Name || !&Calling-Station-Id || !&NAS-Identifier || !&Acct-Session-Id) {",
                        "      update reply {",
                        "        &Error-Cause := Missing-Attribute",
                        "      }",
                        "      reject",
                        "    }",
                        "    if ((&request:Packet-Type == CoA-Request) && (!&Session-Timeout || (&Session-Timeout != 3600))) {",
                        "      update reply {",
                        "        &Error-Cause := Invalid-Attribute-Value",
                        "      }",
                        "      reject",
                        "    }",
                        "    ok",
                        "  }",
                        "  send-coa {",
                        "    ok",
                        "  }",
                        "}",
                        ""));
        Path log = freeradiusDir.resolve("freeradius.log");
        freeradius =
                new ProcessBuilder("/usr/sbin/freeradius", "-X", "-d", dir, "-n", "radiusd")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () ->
                                Files.readString(log).contains("Ready to process requests")
                                        || !freeradius.isAlive());
        assertTrue(freeradius.isAlive(), () -> "freeradius did not start:\n" + read(log));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void assumeFreeradius() {
        assumeTrue(freeradius != null, "freeradius is not installed (apt-get install freeradius)");
    }

    /**
     * An online session, made by an Accounting-Request Start over UDP; returns its public id once
     * stored.
     */
    private String onlineSession(String nasIdentifier, String acctSessionId) throws IOException {
        String mac =
                String.format(
                        "02:00:00:d5:%02x:%02x", MACS.get() / 256, MACS.incrementAndGet() % 256);
        byte[] start =
                RadiusPacketBuilder.accountingRequest(7)
                        .acctStatusType(AcctStatusType.START)
                        .acctSessionId(acctSessionId)
                        .userName("guest-" + acctSessionId)
                        .callingStationId(mac.toUpperCase().replace(':', '-'))
                        .nasIdentifier(nasIdentifier)
                        .framedIpAddress(
                                (java.net.Inet4Address) java.net.InetAddress.getByName("10.62.0.9"))
                        .build(ACCOUNTING_SECRET.getBytes(StandardCharsets.UTF_8));
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(5000);
            socket.send(
                    new DatagramPacket(
                            start,
                            start.length,
                            new InetSocketAddress("127.0.0.1", listener.port())));
            socket.receive(
                    new DatagramPacket(new byte[4096], 4096)); // the Accounting-Response: stored
        }
        JsonNode data =
                http().get("/sessions?guest_device_mac=" + mac, readKey.auth()).json().get("data");
        assertEquals(1, data.size(), data::toString);
        return data.get(0).get("id").asText();
    }

    private Http.Response disconnect(String sessionId, Key key) {
        return http().post("/sessions/" + sessionId + "/disconnect", "", key.auth());
    }

    /**
     * The datagrams the silent DAS got, waiting at most a little longer than the requests' attempts
     * take.
     */
    private List<byte[]> receivedBySilentDas() throws IOException {
        List<byte[]> received = new ArrayList<>();
        silentDas.setSoTimeout(1000);
        try {
            while (true) {
                DatagramPacket datagram = new DatagramPacket(new byte[4096], 4096);
                silentDas.receive(datagram);
                received.add(Arrays.copyOf(datagram.getData(), datagram.getLength()));
            }
        } catch (SocketTimeoutException quiet) {
            return received;
        }
    }

    @Nested
    @DisplayName("against FreeRADIUS as the DAS")
    class AgainstFreeradius {

        @Test
        void aDisconnectAckedByTheNasAnswersAckAndIsKeptInTheHistory() throws Exception {
            assumeFreeradius();
            String session = onlineSession(nasWithFreeradius, "ack-1");

            Http.Response answer = disconnect(session, controlKey);

            assertEquals(200, answer.status(), answer.body());
            assertEquals("ack", answer.json().get("outcome").asText());
            assertEquals("disconnect", answer.json().get("action").asText());
            assertEquals(1, answer.json().get("attempts").asInt());
            assertEquals(controlKey.id(), answer.json().get("api_key_id").asText());
            JsonNode history =
                    http().get("/sessions/" + session + "/control", controlKey.auth())
                            .json()
                            .get("data");
            assertEquals(1, history.size());
            assertEquals("ack", history.get(0).get("outcome").asText());
        }

        @Test
        void aDisconnectTheNasRefusesAnswersNakWithItsErrorCause() throws Exception {
            assumeFreeradius();
            String session = onlineSession(nasWithFreeradius, "nak-1");

            Http.Response answer = disconnect(session, controlKey);

            assertEquals(200, answer.status(), answer.body());
            assertEquals("nak", answer.json().get("outcome").asText());
            assertEquals(
                    503, answer.json().get("error_cause").asInt()); // Session-Context-Not-Found
        }

        @Test
        void aCoaCarriesTheNewSessionTimeoutAndIsAcked() throws Exception {
            assumeFreeradius();
            String session = onlineSession(nasWithFreeradius, "coa-1");

            Http.Response answer =
                    http().post(
                                    "/sessions/" + session + "/coa",
                                    Map.of("session_timeout", 3600),
                                    controlKey.auth());

            assertEquals(200, answer.status(), answer.body());
            assertEquals("ack", answer.json().get("outcome").asText());
            assertEquals(3600, answer.json().get("session_timeout").asLong());
        }

        @Test
        void aCoaWithAnotherSessionTimeoutIsNakedByThisDas() throws Exception {
            assumeFreeradius();
            String session = onlineSession(nasWithFreeradius, "coa-2");

            Http.Response answer =
                    http().post(
                                    "/sessions/" + session + "/coa",
                                    Map.of("session_timeout", 60),
                                    controlKey.auth());

            assertEquals("nak", answer.json().get("outcome").asText());
            assertEquals(407, answer.json().get("error_cause").asInt()); // Invalid-Attribute-Value
        }
    }

    @Test
    void aDasThatNeverAnswersGivesTimeoutAfterTheSamePacketWasSentEachAttempt() throws Exception {
        String session = onlineSession(nasWithSilentDas, "silent-1");
        receivedBySilentDas();

        Http.Response answer = disconnect(session, controlKey);

        assertEquals(200, answer.status(), answer.body());
        assertEquals("timeout", answer.json().get("outcome").asText());
        assertEquals(2, answer.json().get("attempts").asInt());
        List<byte[]> sent = receivedBySilentDas();
        assertEquals(2, sent.size());
        assertArrayEquals(sent.get(0), sent.get(1));
        RadiusPacket request = decode(sent.get(0));
        assertEquals(RadiusPacket.DISCONNECT_REQUEST, request.code());
        assertEquals(
                "silent-1",
                new String(request.attribute(44).orElseThrow().value(), StandardCharsets.UTF_8));
    }

    private static RadiusPacket decode(byte[] bytes) throws Exception {
        return RadiusPacket.decode(bytes, bytes.length);
    }

    @Test
    void anotherTenantsSessionIs404AndNoPacketLeaves() throws Exception {
        String session = onlineSession(nasWithSilentDas, "victim-1");
        Key intruder = given().key(given().tenant(), List.of("sessions:control"), null, 100_000);
        receivedBySilentDas();

        Http.Response answer = disconnect(session, intruder);

        assertEquals(404, answer.status(), answer.body());
        assertEquals(List.of(), receivedBySilentDas());
        assertEquals(
                404, http().get("/sessions/" + session + "/control", intruder.auth()).status());
        assertEquals(
                0,
                http().get("/sessions/" + session + "/control", controlKey.auth())
                        .json()
                        .get("data")
                        .size());
    }

    @Test
    void aKeyLimitedToAnotherVenueOfTheTenantGets404AndNoPacketLeaves() throws Exception {
        String session = onlineSession(nasWithSilentDas, "elsewhere-1");
        Location otherVenue = given().location(venue.tenant());
        Key limited =
                given().key(
                                venue.tenant(),
                                List.of("sessions:control"),
                                List.of(otherVenue.id()),
                                100_000);
        receivedBySilentDas();

        Http.Response answer = disconnect(session, limited);

        assertEquals(404, answer.status(), answer.body());
        assertEquals(List.of(), receivedBySilentDas());
    }

    @Test
    void aNasWithoutDasIs409SayingWhatToRegister() throws Exception {
        String session = onlineSession(nasWithoutDas, "no-das-1");

        Http.Response answer = disconnect(session, controlKey);

        assertEquals(409, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.contentType());
        assertTrue(answer.json().get("detail").asText().contains("das_address"), answer.body());
    }

    @Test
    void aReadKeyMayNotDisconnect() throws Exception {
        String session = onlineSession(nasWithoutDas, "read-only-1");

        assertEquals(403, disconnect(session, readKey).status());
    }

    @Test
    void aCoaWithoutSessionTimeoutIsRejectedNamingIt() throws Exception {
        String session = onlineSession(nasWithoutDas, "coa-bad-1");

        Http.Response answer =
                http().post("/sessions/" + session + "/coa", Map.of(), controlKey.auth());

        assertEquals(400, answer.status(), answer.body());
        assertEquals("session_timeout", answer.json().get("errors").get(0).get("name").asText());
    }

    @Test
    void theEleventhControlRequestInAMinuteIs429() throws Exception {
        String session = onlineSession(nasWithoutDas, "limited-1");
        Key key = given().key(venue.tenant(), List.of("sessions:control"), null, 100_000);
        for (int i = 0; i < 10; i++) {
            assertEquals(409, disconnect(session, key).status());
        }

        Http.Response eleventh = disconnect(session, key);

        assertEquals(429, eleventh.status());
        assertTrue(eleventh.header("Retry-After").isPresent());
    }
}
