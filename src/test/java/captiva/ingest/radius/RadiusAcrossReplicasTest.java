package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two instances on one database behind a UDP load balancer that may send a NAS's retransmit to
 * another replica than the first copy: both know the NAS, and a packet applied by both counts once.
 */
@DisplayName("RADIUS across replicas")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RadiusAcrossReplicasTest {

    private static final byte[] SECRET = "replicated-secret".getBytes(StandardCharsets.UTF_8);

    /**
     * Its own address: other RADIUS tests on the shared database use 127.0.0.1, 127.77.x.x and
     * 127.78-79.x.x.
     */
    private static final String NAS_ADDRESS = "127.83.0.1";

    private final List<EmbeddedServer> servers = new ArrayList<>();
    private Http http;
    private Key key;

    @BeforeAll
    void twoInstancesAndANas() {
        for (int i = 0; i < 2; i++) {
            Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
            properties.put("captiva.admin.token", ApiTest.ADMIN_TOKEN);
            properties.put("micronaut.server.port", "-1");
            servers.add(ApplicationContext.run(EmbeddedServer.class, properties, "test"));
        }
        http = new Http(servers.get(0).getURL().toString());
        Fixtures given = new Fixtures(http);
        Location venue = given.location(given.tenant());
        key = given.readKey(venue.tenant());
        Http.Response nas =
                http.post(
                        "/admin/tenants/"
                                + venue.tenant().id()
                                + "/locations/"
                                + venue.id()
                                + "/nas",
                        Map.of(
                                "ip_address",
                                NAS_ADDRESS,
                                "secret",
                                new String(SECRET, StandardCharsets.UTF_8)),
                        Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
    }

    @AfterAll
    void stop() {
        servers.forEach(EmbeddedServer::stop);
    }

    /** Sends to one replica's listener and returns its Accounting-Response. */
    private byte[] exchange(int replica, byte[] datagram) {
        int port =
                servers.get(replica).getApplicationContext().getBean(RadiusListener.class).port();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(NAS_ADDRESS, 0))) {
            socket.setSoTimeout(5000);
            socket.send(
                    new DatagramPacket(
                            datagram, datagram.length, new InetSocketAddress("127.0.0.1", port)));
            DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
            socket.receive(answer);
            return Arrays.copyOf(answer.getData(), answer.getLength());
        } catch (IOException e) {
            throw new AssertionError("no Accounting-Response from replica " + replica, e);
        }
    }

    @Test
    void retransmitsOnTheOtherReplicaAreAnsweredAndCountedOnce() {
        byte[] start =
                RadiusPacketBuilder.accountingRequest(1)
                        .acctStatusType(AcctStatusType.START)
                        .acctSessionId("replicated-1")
                        .userName("C6D144DE")
                        .build(SECRET);
        byte[] interim =
                RadiusPacketBuilder.accountingRequest(2)
                        .acctStatusType(AcctStatusType.INTERIM_UPDATE)
                        .acctSessionId("replicated-1")
                        .acctSessionTime(60)
                        .outputOctets(1_000_000)
                        .inputOctets(2_000)
                        .build(SECRET);
        byte[] stopPacket =
                RadiusPacketBuilder.accountingRequest(3)
                        .acctStatusType(AcctStatusType.STOP)
                        .acctSessionId("replicated-1")
                        .acctSessionTime(120)
                        .outputOctets(3_000_000)
                        .inputOctets(4_000)
                        .acctTerminateCause(1)
                        .build(SECRET);

        assertArrayEquals(exchange(0, start), exchange(1, start));
        assertArrayEquals(exchange(0, interim), exchange(1, interim));
        assertArrayEquals(exchange(1, stopPacket), exchange(0, stopPacket));
        // A late retransmit of the interim, after the stop, on either replica.
        exchange(1, interim);

        JsonNode sessions = http.get("/sessions", key.auth()).json().get("data");
        assertEquals(1, sessions.size());
        JsonNode session = sessions.get(0);
        assertEquals("Offline", session.get("connection_status").asText());
        assertEquals(3_000_000, session.get("downloaded_bytes").asLong());
        assertEquals(4_000, session.get("uploaded_bytes").asLong());
        assertEquals(120, session.get("duration_seconds").asLong());
    }
}
