package captiva.common.radius;

import static captiva.common.radius.RadiusFixtures.ascii;
import static captiva.common.radius.RadiusFixtures.bytes;
import static captiva.common.radius.RadiusFixtures.decode;
import static captiva.common.radius.RadiusFixtures.decoded;
import static captiva.common.radius.RadiusFixtures.hex;
import static captiva.common.radius.RadiusFixtures.md5;
import static captiva.common.radius.RadiusFixtures.secretOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import captiva.testing.Fast;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

@Fast
@DisplayName("RadiusPacketBuilder")
class RadiusPacketBuilderTest {

    static final byte[] SECRET = ascii("testing123");

    @Nested
    @DisplayName("reproduces known packets")
    class ReproducesKnownPackets {

        @ParameterizedTest(name = "{0}")
        @FieldSource("captiva.common.radius.RadiusFixtures#SIGNED_PACKETS")
        void everySignedFixtureIsRebuiltByteForByteFromItsAttributes(String name) {
            RadiusPacket original = decoded(name);
            RadiusPacketBuilder builder =
                    RadiusPacketBuilder.accountingRequest(original.identifier());
            original.attributes()
                    .forEach(attribute -> builder.attribute(attribute.type(), attribute.value()));

            byte[] rebuilt = builder.build(secretOf(name).orElseThrow());

            assertArrayEquals(hex(name), rebuilt);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    // RFC 5997 s6, to the authentication port and to the accounting port
                    "0cda00268a54f4686fb394c52866e302185d062350125a665e2e1e8411f3e243822097c84fa3",
                    "0cb30026925f6b66dd5fed571fcb1db7ad3882605012e8d6eabda910875cd91fdade26367858"
                })
        void theRfc5997StatusServerExamplesAreRebuiltByteForByte(String example) {
            byte[] expected = bytes(example);
            byte[] requestAuthenticator = decode(expected).authenticator();

            byte[] built =
                    RadiusPacketBuilder.statusServer(expected[1] & 0xff, requestAuthenticator)
                            .build(ascii("xyzzy5461"));

            assertArrayEquals(expected, built);
        }

        @Test
        void theRequestAuthenticatorIsMd5OverThePacketWithZerosAndTheSecret() {
            byte[] built =
                    RadiusPacketBuilder.accountingRequest(1)
                            .acctStatusType(AcctStatusType.STOP)
                            .build(SECRET);

            byte[] expected = md5(bytes("0401001a"), new byte[16], bytes("280600000002"), SECRET);
            assertArrayEquals(expected, Arrays.copyOfRange(built, 4, 20));
        }

        @Test
        void buildingTwiceGivesTheSameDatagram() {
            RadiusPacketBuilder builder =
                    RadiusPacketBuilder.accountingRequest(1).acctSessionId("a");

            byte[] first = builder.build(SECRET);
            byte[] second = builder.build(SECRET);

            assertArrayEquals(first, second);
        }

        @Test
        void attributesGoOutInTheOrderAdded() {
            byte[] built =
                    RadiusPacketBuilder.accountingRequest(1)
                            .acctSessionId("a")
                            .userName("b")
                            .acctSessionId("c")
                            .build(SECRET);

            List<Integer> types =
                    decode(built).attributes().stream().map(RadiusAttribute::type).toList();

            assertEquals(List.of(44, 1, 44), types);
        }
    }

    @Nested
    @DisplayName("refuses programming mistakes")
    class RefusesProgrammingMistakes {

        @ParameterizedTest
        @ValueSource(ints = {-1, 256})
        void anIdentifierThatIsNoOctet(int identifier) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> RadiusPacketBuilder.accountingRequest(identifier));
        }

        @ParameterizedTest
        @ValueSource(longs = {-1, 4_294_967_296L})
        void anIntegerOutside32BitsUnsigned(long value) {
            RadiusPacketBuilder builder = RadiusPacketBuilder.accountingRequest(1);

            assertThrows(IllegalArgumentException.class, () -> builder.acctSessionTime(value));
        }

        @Test
        void aValueOfMoreThan253Octets() {
            RadiusPacketBuilder builder = RadiusPacketBuilder.accountingRequest(1);

            assertThrows(IllegalArgumentException.class, () -> builder.userName("x".repeat(254)));
        }

        @ParameterizedTest
        @ValueSource(ints = {-1, 256})
        void aTypeThatIsNoOctet(int type) {
            RadiusPacketBuilder builder = RadiusPacketBuilder.accountingRequest(1);

            assertThrows(
                    IllegalArgumentException.class, () -> builder.attribute(type, new byte[0]));
        }

        @Test
        void theUnknownStatusType() {
            RadiusPacketBuilder builder = RadiusPacketBuilder.accountingRequest(1);

            assertThrows(
                    IllegalArgumentException.class,
                    () -> builder.acctStatusType(AcctStatusType.UNKNOWN));
        }

        @Test
        void aNegativeOctetTotal() {
            RadiusPacketBuilder builder = RadiusPacketBuilder.accountingRequest(1);

            assertThrows(IllegalArgumentException.class, () -> builder.outputOctets(-1));
        }

        @Test
        void aStatusServerRequestAuthenticatorThatIsNot16Octets() {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> RadiusPacketBuilder.statusServer(1, new byte[15]));
        }

        @Test
        void aPacketLongerThan4096Octets() {
            RadiusPacketBuilder builder = RadiusPacketBuilder.accountingRequest(1);
            for (int i = 0; i < 16; i++) {
                builder.attribute(26, new byte[253]); // 20 + 16 x 255 = 4100
            }

            assertThrows(IllegalStateException.class, () -> builder.build(SECRET));
        }

        @Test
        void anEmptySecret() {
            RadiusPacketBuilder builder = RadiusPacketBuilder.accountingRequest(1);

            assertThrows(IllegalArgumentException.class, () -> builder.build(new byte[0]));
        }
    }
}
