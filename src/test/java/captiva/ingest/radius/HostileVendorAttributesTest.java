package captiva.ingest.radius;

import static captiva.common.radius.VendorAttributeBytes.concat;
import static captiva.common.radius.VendorAttributeBytes.sub;
import static captiva.common.radius.VendorAttributeBytes.vsa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.AttributeTypes;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.common.radius.VendorDictionary;
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
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Malformed and oversized Vendor-Specific attributes over real UDP to the running listener: inside
 * a packet whose framing holds they are skipped and the packet is stored and answered (RFC 6929
 * s2.8); one whose outer Length overruns the packet makes it unreadable, a counted drop as before.
 */
@MicronautTest(transactional = false)
@DisplayName("hostile vendor attributes")
class HostileVendorAttributesTest extends ApiTest {

    /** From a random start: a database kept between runs still holds the NAS of the last one. */
    private static final AtomicInteger NEXT_ADDRESS =
            new AtomicInteger(new Random().nextInt(60_000));

    private static final byte[] SECRET = "vsa-hostile-secret".getBytes(StandardCharsets.UTF_8);

    @Inject RadiusListener listener;
    @Inject MeterRegistry meters;

    private Key key;
    private String nasAddress;

    @BeforeEach
    void aRegisteredNas() {
        Location venue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        nasAddress =
                "127.78."
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

    private static RadiusPacketBuilder start(String acctSessionId) {
        return RadiusPacketBuilder.accountingRequest(9)
                .acctStatusType(AcctStatusType.START)
                .acctSessionId(acctSessionId)
                .userName("vsa-guest")
                .callingStationId("02-00-00-00-7A-01");
    }

    private Optional<byte[]> exchange(byte[] datagram) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(nasAddress, 0))) {
            socket.setSoTimeout(2000);
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
    void aVendorSpecificWhoseSubAttributeOverrunsIsSkippedAndThePacketStoredAndAnswered() {
        byte[] broken = vsa(VendorDictionary.ARUBA, new byte[] {5, (byte) 250, 'x'});
        byte[] good = vsa(VendorDictionary.RUCKUS, sub(3, "Mall WiFi"));
        double malformedBefore = dropped("malformed");

        Optional<byte[]> answer =
                exchange(
                        start("vsa-1")
                                .attribute(AttributeTypes.VENDOR_SPECIFIC, broken)
                                .attribute(AttributeTypes.VENDOR_SPECIFIC, good)
                                .build(SECRET));

        assertTrue(answer.isPresent(), "stored and answered");
        assertEquals(malformedBefore, dropped("malformed"));
        assertEquals(1, sessions().size());
        assertEquals("Mall WiFi", sessions().get(0).get("ssid").asText());
    }

    @Test
    void fullSizeVendorSpecificsOfGarbageFillingThePacketAreStoredHarmlessly() {
        Random random = new Random(17);
        RadiusPacketBuilder packet = start("vsa-2");
        for (int i = 0;
                i < 14;
                i++) { // 14 x 255 octets and the SSID: close to the 4096-octet maximum
            byte[] garbage = new byte[249];
            random.nextBytes(garbage);
            int vendor =
                    i % 3 == 0
                            ? VendorDictionary.ARUBA
                            : i % 3 == 1 ? VendorDictionary.CISCO : 99_999;
            packet.attribute(AttributeTypes.VENDOR_SPECIFIC, vsa(vendor, garbage));
        }
        packet.attribute(
                AttributeTypes.VENDOR_SPECIFIC,
                vsa(VendorDictionary.ARUBA, sub(5, "x".repeat(247))));

        Optional<byte[]> answer = exchange(packet.build(SECRET));

        assertTrue(answer.isPresent(), "stored and answered");
        assertEquals("x".repeat(247), sessions().get(0).get("ssid").asText());
    }

    @Test
    void aVendorSpecificOverrunningThePacketIsACountedMalformedDrop() {
        byte[] datagram =
                start("vsa-3")
                        .attribute(
                                AttributeTypes.VENDOR_SPECIFIC,
                                vsa(VendorDictionary.ARUBA, sub(5, "Hotel Guest")))
                        .build(SECRET);
        int vsaAt = datagram.length - 2 - 4 - 2 - "Hotel Guest".length();
        assertEquals(AttributeTypes.VENDOR_SPECIFIC, datagram[vsaAt]);
        datagram[vsaAt + 1] =
                (byte) (datagram[vsaAt + 1] + 1); // one octet past the end of the packet
        double malformedBefore = dropped("malformed");

        Optional<byte[]> answer = exchange(datagram);

        assertEquals(Optional.empty(), answer.map(a -> "an answer"));
        assertEquals(malformedBefore + 1, dropped("malformed"));
        assertEquals(0, sessions().size());
    }

    @Test
    void aVendorSpecificTooShortForItsVendorIdIsSkipped() {
        Optional<byte[]> answer =
                exchange(
                        start("vsa-4")
                                .attribute(AttributeTypes.VENDOR_SPECIFIC, new byte[] {0, 0, 0x39})
                                .attribute(AttributeTypes.VENDOR_SPECIFIC, concat(new byte[0]))
                                .build(SECRET));

        assertTrue(answer.isPresent(), "stored and answered");
        assertEquals(1, sessions().size());
    }
}
