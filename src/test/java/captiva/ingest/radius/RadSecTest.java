package captiva.ingest.radius;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusPacket;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * RadSec (RFC 6614) against the running service: TLS on loopback with certificates made by openssl,
 * real PostgreSQL behind. Debian's radsecproxy carries radclient's UDP accounting over TLS, as a
 * site proxy would; a Java TLS client plays the hostile peers. Skipped where openssl (or, for the
 * proxy test, radsecproxy or radclient) is not installed.
 */
@MicronautTest(transactional = false)
@DisplayName("RadSec")
class RadSecTest extends ApiTest {

    private static final int MAX_CONNECTIONS = 4;
    private static final TestCertificates PKI =
            TestCertificates.opensslInstalled() ? TestCertificates.create() : null;

    @Inject MeterRegistry meters;

    @Inject RadSecReceiver radsec;

    /**
     * A name of its own in every run: TLS identities are unique across the platform, and the
     * database may be reused.
     */
    private static final String NAS_C = "ap-c-" + System.nanoTime() + ".radsec.test";

    private Location venue;
    private Location otherVenue;
    private Key key;
    private Key otherKey;
    private String identifierA;
    private String identifierB;

    @Override
    protected Map<String, String> extraProperties() {
        if (PKI == null) {
            return Map.of();
        }
        PKI.issue("nas-c", "ca", NAS_C)
                .issue("nas-a", "ca", "ap-a.radsec.test")
                .issue("nas-b", "ca", "device-b", "ap-b.radsec.test")
                .issue("stranger", "ca", "nobody.radsec.test")
                .issue("rogue", "rogue-ca", "ap-a.radsec.test");
        return Map.of(
                "captiva.radius.accounting-port",
                "0",
                "captiva.radius.radsec.port",
                "0",
                "captiva.radius.radsec.certificate",
                PKI.certificate("server").toString(),
                "captiva.radius.radsec.key",
                PKI.key("server").toString(),
                "captiva.radius.radsec.client-ca",
                PKI.ca().toString(),
                "captiva.radius.radsec.max-connections",
                Integer.toString(MAX_CONNECTIONS),
                "captiva.radius.radsec.idle-timeout",
                "2s",
                "captiva.radius.radsec.read-timeout",
                "1s");
    }

    @BeforeAll
    void twoNasWithCertificates() {
        assumeTrue(PKI != null, "openssl is not installed: no certificates for RadSec");
        venue = given().location(given().tenant());
        otherVenue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        otherKey = given().readKey(otherVenue.tenant());
        identifierA = "radsec-a-" + venue.id();
        identifierB = "radsec-b-" + otherVenue.id();
        register(venue, identifierA, "ap-a.radsec.test");
        register(
                otherVenue,
                identifierB,
                "ap-b.radsec.test"); // its certificate's SAN DNS name, not its CN
    }

    private void register(Location at, String identifier, String tlsIdentity) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ip_address", "127.0.0.1");
        body.put("identifier", identifier);
        body.put("secret", "udp-secret-unused-here");
        body.put("tls_identity", tlsIdentity);
        Http.Response nas =
                http().post(
                                "/admin/tenants/"
                                        + at.tenant().id()
                                        + "/locations/"
                                        + at.id()
                                        + "/nas",
                                body,
                                Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
        assertEquals(tlsIdentity, nas.json().get("tls_identity").asText());
    }

    private double refused(String reason) {
        var counter = meters.find("captiva.radius.radsec.refused").tags("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private double dropped(String reason) {
        var counter =
                meters.find("captiva.radius.packets")
                        .tags("outcome", "dropped", "reason", reason)
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    private static byte[] start(
            int identifier, String acctSessionId, String mac, String nasIdentifier) {
        RadiusPacketBuilder packet =
                RadiusPacketBuilder.accountingRequest(identifier)
                        .acctStatusType(AcctStatusType.START)
                        .acctSessionId(acctSessionId)
                        .userName("radsec-guest")
                        .callingStationId(mac);
        if (nasIdentifier != null) {
            packet.nasIdentifier(nasIdentifier);
        }
        return packet.build(RadSecReceiver.SECRET);
    }

    private static byte[] readPacket(InputStream in) throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new SocketException("closed by the server");
        }
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] packet = new byte[length];
        System.arraycopy(header, 0, packet, 0, 4);
        in.readNBytes(packet, 4, length - 4);
        return packet;
    }

    /**
     * Whether the server closed the connection: a read ends (EOF or reset) well before the client's
     * timeout.
     */
    private static boolean closedByServer(SSLSocket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (IOException closed) {
            return !(closed instanceof java.net.SocketTimeoutException);
        }
    }

    @Test
    void aNasCertificateNamedByItsSanCarriesAStartThatIsAnsweredOnTheSameConnectionAfterCommit()
            throws Exception {
        try (SSLSocket socket = PKI.connect(radsec.port(), "nas-b")) {
            byte[] request = start(7, "radsec-b-1", "02:00:00:00:7b:01", identifierB);

            socket.getOutputStream().write(request);
            byte[] answer = readPacket(socket.getInputStream());

            RadiusPacket sent = RadiusPacket.decode(request, request.length);
            assertArrayEquals(sent.accountingResponse(RadSecReceiver.SECRET), answer);
            assertEquals(
                    1,
                    http().get("/sessions?guest_device_mac=02:00:00:00:7b:01", otherKey.auth())
                            .json()
                            .get("data")
                            .size());
            assertEquals(
                    0,
                    http().get("/sessions?guest_device_mac=02:00:00:00:7b:01", key.auth())
                            .json()
                            .get("data")
                            .size());
        }
    }

    @Test
    void aNasWhoseTlsIdentityIsRemovedLosesItsOpenConnectionAndIsHeardNoMore() throws Exception {
        Location at = given().location(given().tenant());
        Key own = given().readKey(at.tenant());
        String identifier = "radsec-c-" + at.id();
        register(at, identifier, NAS_C);
        String nas =
                http().get(
                                "/admin/tenants/"
                                        + at.tenant().id()
                                        + "/locations/"
                                        + at.id()
                                        + "/nas",
                                Fixtures.admin())
                        .json()
                        .get(0)
                        .get("id")
                        .asText();
        Map<String, Object> noIdentity = new java.util.HashMap<>();
        noIdentity.put("tls_identity", null);

        try (SSLSocket socket = PKI.connect(radsec.port(), "nas-c")) {
            socket.getOutputStream().write(start(1, "c-1", "02:00:00:00:7c:21", identifier));
            readPacket(socket.getInputStream());
            Http.Response changed =
                    http().patch(
                                    "/admin/tenants/"
                                            + at.tenant().id()
                                            + "/locations/"
                                            + at.id()
                                            + "/nas/"
                                            + nas,
                                    noIdentity,
                                    Fixtures.admin());
            assertEquals(200, changed.status(), changed.body());
            try {
                socket.getOutputStream().write(start(2, "c-2", "02:00:00:00:7c:22", identifier));
            } catch (IOException closedAlready) {
                // the server closed it first: what this test expects
            }

            assertEquals(true, closedByServer(socket));
        }
        assertEquals(
                0,
                http().get("/sessions?guest_device_mac=02:00:00:00:7c:22", own.auth())
                        .json()
                        .get("data")
                        .size());
    }

    @Test
    void radclientThroughRadsecproxyIsStoredAndAnswered() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/radsecproxy")),
                "radsecproxy is not installed (apt-get install radsecproxy)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/radclient")),
                "radclient is not installed (apt-get install freeradius-utils)");
        int udpPort;
        try (DatagramSocket free = new DatagramSocket(0)) {
            udpPort = free.getLocalPort();
        }
        Path config = PKI.dir.resolve("radsecproxy.conf");
        Files.write(
                config,
                List.of(
                        "ListenUDP 127.0.0.1:" + udpPort,
                        "LoopPrevention off",
                        "tls default {",
                        "    CACertificateFile " + PKI.ca(),
                        "    CertificateFile " + PKI.certificate("nas-a"),
                        "    CertificateKeyFile " + PKI.key("nas-a"),
                        "}",
                        "client radclient {",
                        "    host 127.0.0.1",
                        "    type udp",
                        "    secret proxy-secret",
                        "}",
                        "server captiva {",
                        "    host 127.0.0.1",
                        "    port " + radsec.port(),
                        "    type tls",
                        "    secret radsec",
                        "    CertificateNameCheck off",
                        "}",
                        "realm * {",
                        "    server captiva",
                        "    accountingServer captiva",
                        "}"));
        Process proxy =
                new ProcessBuilder(
                                "/usr/sbin/radsecproxy", "-f", "-d", "3", "-c", config.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(PKI.dir.resolve("radsecproxy.log").toFile())
                        .start();
        try {
            Path input = PKI.dir.resolve("start.txt");
            Files.write(
                    input,
                    List.of(
                            "Acct-Status-Type = Start",
                            "Acct-Session-Id = \"rsp-1\"",
                            "User-Name = \"guest-through-proxy\"",
                            "Calling-Station-Id = \"02-00-00-00-7A-01\"",
                            "Framed-IP-Address = 10.61.0.7",
                            "NAS-Identifier = \"" + identifierA + "\""));

            Process radclient =
                    new ProcessBuilder(
                                    "radclient",
                                    "-f",
                                    input.toString(),
                                    "-r",
                                    "5",
                                    "-t",
                                    "2",
                                    "127.0.0.1:" + udpPort,
                                    "acct",
                                    "proxy-secret")
                            .redirectErrorStream(true)
                            .start();
            String output =
                    new String(radclient.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            radclient.waitFor(60, TimeUnit.SECONDS);

            assertEquals(
                    0,
                    radclient.exitValue(),
                    "radclient got no Accounting-Response through radsecproxy:\n"
                            + output
                            + "\nradsecproxy said:\n"
                            + Files.readString(PKI.dir.resolve("radsecproxy.log")));
            var sessions =
                    http().get("/sessions?guest_device_mac=02:00:00:00:7a:01", key.auth())
                            .json()
                            .get("data");
            assertEquals(1, sessions.size());
            assertEquals("10.61.0.7", sessions.get(0).get("guest_device_ip").asText());
        } finally {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Nested
    @DisplayName("hostile peers")
    class Hostile {

        @Test
        void aClientWithoutCertificateIsRefusedAndCounted() throws Exception {
            double before = refused("no_certificate");

            try (SSLSocket socket = PKI.connect(radsec.port(), null)) {
                socket.startHandshake();
                socket.getOutputStream().write(start(1, "no-cert", "02:00:00:00:7c:01", null));

                assertEquals(true, closedByServer(socket));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> refused("no_certificate") == before + 1);
        }

        @Test
        void aCertificateFromAnotherCaIsRefusedAndCounted() throws Exception {
            double before = refused("untrusted_certificate");

            try (SSLSocket socket = PKI.connect(radsec.port(), "rogue")) {
                assertThrows(
                        IOException.class,
                        () -> {
                            socket.startHandshake();
                            socket.getOutputStream()
                                    .write(start(1, "rogue", "02:00:00:00:7c:02", null));
                            readPacket(socket.getInputStream());
                        });
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> refused("untrusted_certificate") == before + 1);
        }

        @Test
        void aTrustedCertificateThatNamesNoNasIsRefusedAndCounted() throws Exception {
            double before = refused("unregistered_certificate");

            try (SSLSocket socket = PKI.connect(radsec.port(), "stranger")) {
                socket.startHandshake();
                socket.getOutputStream().write(start(1, "stranger", "02:00:00:00:7c:03", null));

                assertEquals(true, closedByServer(socket));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> refused("unregistered_certificate") == before + 1);
        }

        @Test
        void anotherNasCertificateCannotSpeakForANasItDoesNotIdentify() throws Exception {
            double before = dropped("certificate_of_another_nas");

            try (SSLSocket socket = PKI.connect(radsec.port(), "nas-b")) {
                socket.getOutputStream()
                        .write(start(2, "impostor-1", "02:00:00:00:7c:04", identifierA));

                await().atMost(Duration.ofSeconds(5))
                        .until(() -> dropped("certificate_of_another_nas") == before + 1);
            }
            assertEquals(
                    0,
                    http().get("/sessions?guest_device_mac=02:00:00:00:7c:04", key.auth())
                            .json()
                            .get("data")
                            .size());
            assertEquals(
                    0,
                    http().get("/sessions?guest_device_mac=02:00:00:00:7c:04", otherKey.auth())
                            .json()
                            .get("data")
                            .size());
        }

        /**
         * OpenSSL's own client offers exactly one old version (at security level 0, where OpenSSL 3
         * still may); the same command with TLS 1.2 completes, so the refusal is the server's.
         * Counted as a failed handshake.
         */
        @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
        @org.junit.jupiter.params.provider.ValueSource(strings = {"-tls1", "-tls1_1"})
        void aClientOfferingOnlyTls10Or11IsRefused(String version) throws Exception {
            double before = refused("handshake_failed");

            String refused = opensslClient(version);

            assertEquals(false, refused.contains("BEGIN CERTIFICATE"), refused);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> refused("handshake_failed") >= before + 1);
            assertEquals(
                    true,
                    opensslClient("-tls1_2").contains("BEGIN CERTIFICATE"),
                    "TLS 1.2 must complete");
        }

        private String opensslClient(String version) throws IOException, InterruptedException {
            Process process =
                    new ProcessBuilder(
                                    "openssl",
                                    "s_client",
                                    "-connect",
                                    "127.0.0.1:" + radsec.port(),
                                    version,
                                    "-cipher",
                                    "DEFAULT@SECLEVEL=0",
                                    "-cert",
                                    PKI.certificate("nas-a").toString(),
                                    "-key",
                                    PKI.key("nas-a").toString(),
                                    "-CAfile",
                                    PKI.ca().toString())
                            .redirectErrorStream(true)
                            .redirectInput(
                                    ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                            .start();
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(
                    true, process.waitFor(30, TimeUnit.SECONDS), "openssl s_client did not finish");
            return output;
        }

        @Test
        void aLengthFieldBeyond4096ClosesTheConnection() throws Exception {
            double before = refused("bad_length");

            try (SSLSocket socket = PKI.connect(radsec.port(), "nas-a")) {
                OutputStream out = socket.getOutputStream();
                out.write(new byte[] {4, 1, (byte) 0x13, (byte) 0x88}); // Length 5000
                out.write(new byte[64]);

                assertEquals(true, closedByServer(socket));
            }
            assertEquals(before + 1, refused("bad_length"));
        }

        @Test
        void aPacketThatTricklesInSlowerThanTheReadTimeoutClosesTheConnection() throws Exception {
            double before = refused("slow");

            try (SSLSocket socket = PKI.connect(radsec.port(), "nas-a")) {
                socket.getOutputStream().write(new byte[] {4, 1, 0}); // and the rest never comes

                assertEquals(true, closedByServer(socket));
            }
            assertEquals(before + 1, refused("slow"));
        }

        @Test
        void anIdleConnectionIsClosed() throws Exception {
            double before = refused("idle");

            try (SSLSocket socket = PKI.connect(radsec.port(), "nas-a")) {
                socket.startHandshake();

                assertEquals(true, closedByServer(socket));
            }
            assertEquals(before + 1, refused("idle"));
        }

        @Test
        void connectionsBeyondTheLimitAreClosedAtOnceAndCounted() throws Exception {
            await().atMost(Duration.ofSeconds(10))
                    .until(
                            () ->
                                    meters.find("captiva.radius.radsec.connections").gauge().value()
                                            == 0);
            double before = refused("too_many_connections");
            List<SSLSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < MAX_CONNECTIONS; i++) {
                    SSLSocket socket = PKI.connect(radsec.port(), "nas-a");
                    socket.startHandshake();
                    held.add(socket);
                }
                await().atMost(Duration.ofSeconds(5))
                        .until(
                                () ->
                                        meters.find("captiva.radius.radsec.connections")
                                                        .gauge()
                                                        .value()
                                                == MAX_CONNECTIONS);

                try (SSLSocket extra = PKI.connect(radsec.port(), "nas-a")) {
                    assertThrows(
                            IOException.class,
                            () -> {
                                extra.startHandshake();
                                extra.getOutputStream()
                                        .write(start(3, "one-too-many", "02:00:00:00:7c:05", null));
                                readPacket(extra.getInputStream());
                            });
                }
                assertEquals(before + 1, refused("too_many_connections"));
            } finally {
                for (SSLSocket socket : held) {
                    socket.close();
                }
            }
        }
    }

    @AfterAll
    void noConnectionLeftOpen() {
        if (PKI != null) {
            await().atMost(Duration.ofSeconds(10))
                    .until(
                            () ->
                                    meters.find("captiva.radius.radsec.connections").gauge().value()
                                            == 0);
        }
    }
}
