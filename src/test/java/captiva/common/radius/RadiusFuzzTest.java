package captiva.common.radius;

import static captiva.common.radius.RadiusFixtures.ascii;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import captiva.testing.Fast;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Whatever arrives on the port, decoding and reading throw nothing but {@link
 * RadiusCodecException}: seeded random bytes and seeded damage to real packets, fed through every
 * public read.
 */
@Fast
@DisplayName("RADIUS codec under random input")
public class RadiusFuzzTest {

    static final int ITERATIONS = 20_000;
    static final byte[] SECRET = ascii("testing123");
    public static final List<byte[]> REAL_PACKETS =
            RadiusFixtures.PACKETS.stream().map(RadiusFixtures::hex).toList();

    @Test
    void randomBytesNeverThrowAnythingElse() {
        Outcomes outcomes =
                run(
                        1L,
                        random -> {
                            byte[] datagram = new byte[random.nextInt(300)];
                            random.nextBytes(datagram);
                            return datagram;
                        });

        assertTrue(outcomes.rejected > ITERATIONS * 9 / 10, outcomes::toString);
    }

    @Test
    void randomBytesBehindAPlausibleHeaderNeverThrowAnythingElse() {
        Outcomes outcomes =
                run(
                        2L,
                        random -> {
                            byte[] datagram = new byte[20 + random.nextInt(200)];
                            random.nextBytes(datagram);
                            datagram[0] =
                                    (byte)
                                            (random.nextBoolean()
                                                    ? RadiusPacket.ACCOUNTING_REQUEST
                                                    : RadiusPacket.STATUS_SERVER);
                            datagram[2] = (byte) (datagram.length >>> 8);
                            datagram[3] = (byte) datagram.length;
                            return datagram;
                        });

        assertTrue(outcomes.decoded > 0 && outcomes.rejected > 0, outcomes::toString);
    }

    @Test
    void randomAttributesOfEveryReadTypeAndLengthNeverThrowAnythingElse() {
        int[] types = {
            1, 4, 8, 26, 30, 31, 32, 33, 40, 41, 42, 43, 44, 46, 49, 52, 53, 55, 80, 168
        };
        Outcomes outcomes =
                run(
                        3L,
                        random -> {
                            RadiusPacketBuilder builder =
                                    random.nextInt(4) == 0
                                            ? RadiusPacketBuilder.statusServer(
                                                    random.nextInt(256), randomBytes(random, 16))
                                            : RadiusPacketBuilder.accountingRequest(
                                                    random.nextInt(256));
                            for (int i = random.nextInt(12); i > 0; i--) {
                                builder.attribute(
                                        types[random.nextInt(types.length)],
                                        randomBytes(random, random.nextInt(20)));
                            }
                            return builder.build(SECRET);
                        });

        assertTrue(
                outcomes.decoded > ITERATIONS * 7 / 10,
                outcomes::toString); // the rest: a damaged length
    }

    @Test
    void damagedRealPacketsNeverThrowAnythingElse() {
        Outcomes outcomes =
                run(
                        4L,
                        random ->
                                damage(
                                        random,
                                        REAL_PACKETS.get(random.nextInt(REAL_PACKETS.size()))));

        assertTrue(
                outcomes.decoded > ITERATIONS / 10 && outcomes.rejected > ITERATIONS / 10,
                outcomes::toString);
    }

    @Test
    void damagedStatusServersNeverThrowAnythingElse() {
        byte[] statusServer = RadiusFixtures.bytes(RadiusPacketTest.RFC5997_STATUS_SERVER);

        Outcomes outcomes = run(5L, random -> damage(random, statusServer));

        assertTrue(outcomes.decoded > 0 && outcomes.rejected > 0, outcomes::toString);
    }

    /**
     * One of: truncation, flipped bytes, an attribute Length overrun, a new Length field, or
     * trailing junk.
     */
    public static byte[] damage(Random random, byte[] original) {
        byte[] datagram = original.clone();
        switch (random.nextInt(6)) {
            case 0 -> datagram = Arrays.copyOf(datagram, random.nextInt(datagram.length + 1));
            case 1 -> {
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    datagram[random.nextInt(datagram.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 2 -> {
                int at = attributeStart(random, datagram);
                datagram[at + 1] = (byte) random.nextInt(256);
            }
            case 3 -> {
                int length = random.nextInt(0x10000);
                datagram[2] = (byte) (length >>> 8);
                datagram[3] = (byte) length;
            }
            case 4 -> {
                int at = attributeStart(random, datagram);
                datagram[at] =
                        (byte) new int[] {4, 8, 40, 41, 42, 52, 55, 80, 168}[random.nextInt(9)];
            }
            default -> {
                datagram = Arrays.copyOf(datagram, datagram.length + random.nextInt(64));
                for (int i = original.length; i < datagram.length; i++) {
                    datagram[i] = (byte) random.nextInt(256);
                }
            }
        }
        return datagram;
    }

    /** The offset of a randomly chosen attribute of an intact packet. */
    public static int attributeStart(Random random, byte[] packet) {
        int count = 0;
        for (int at = 20; at < packet.length; at += packet[at + 1] & 0xff) {
            count++;
        }
        int chosen = random.nextInt(count);
        int at = 20;
        for (int i = 0; i < chosen; i++) {
            at += packet[at + 1] & 0xff;
        }
        return at;
    }

    static Outcomes run(long seed, Function<Random, byte[]> datagrams) {
        Random random = new Random(seed);
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] datagram = datagrams.apply(random);
            int length =
                    switch (random.nextInt(10)) {
                        case 0 ->
                                random.nextInt(
                                        datagram.length + 1); // fewer octets received than sent
                        case 1 ->
                                random.nextInt(3)
                                        - 1
                                        + datagram.length * 2; // a length the buffer cannot hold
                        case 2 -> -1 - random.nextInt(3);
                        default -> datagram.length;
                    };
            try {
                readEverything(RadiusPacket.decode(datagram, length));
                outcomes.decoded++;
            } catch (RadiusCodecException expected) {
                outcomes.rejected++;
            } catch (RuntimeException | Error e) {
                fail(
                        "seed "
                                + seed
                                + ", iteration "
                                + i
                                + ", length "
                                + length
                                + ": "
                                + HexFormat.of().formatHex(datagram),
                        e);
            }
        }
        return outcomes;
    }

    static void readEverything(RadiusPacket packet) {
        assertNotNull(packet.toString());
        packet.bytes();
        packet.authenticator();
        packet.attributes().forEach(attribute -> attribute.value());
        packet.isAuthentic(SECRET);
        packet.asAccountingRequest()
                .ifPresent(
                        request -> {
                            assertNotNull(request.toString());
                            request.malformedAttributes();
                            request.userName();
                            request.nasIpAddress();
                            request.framedIpAddress();
                            request.calledStationId();
                            request.callingStationId();
                            request.nasIdentifier();
                            request.acctStatusType();
                            request.acctDelayTime();
                            request.acctInputOctets();
                            request.acctOutputOctets();
                            request.acctSessionId();
                            request.acctSessionTime();
                            request.acctTerminateCause();
                            request.acctInputGigawords();
                            request.acctOutputGigawords();
                            request.eventTimestamp();
                            request.framedIpv6Address();
                            request.inputOctets();
                            request.outputOctets();
                        });
        if (packet.code() == RadiusPacket.ACCOUNTING_REQUEST
                || packet.code() == RadiusPacket.STATUS_SERVER) {
            byte[] response = packet.accountingResponse(SECRET);
            try {
                RadiusPacket.decode(response, response.length);
            } catch (RadiusCodecException e) {
                throw new AssertionError("our own response does not decode: " + e.getMessage(), e);
            }
        }
    }

    public static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static final class Outcomes {
        int decoded;
        int rejected;

        @Override
        public String toString() {
            return decoded + " decoded, " + rejected + " rejected";
        }
    }
}
