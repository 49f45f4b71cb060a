package captiva.common.radius;

import static captiva.common.radius.RadiusFixtures.ascii;
import static captiva.common.radius.RadiusFixtures.bytes;
import static captiva.common.radius.RadiusFixtures.decode;
import static captiva.common.radius.RadiusFixtures.decodeOf;
import static captiva.common.radius.RadiusFixtures.decoded;
import static captiva.common.radius.RadiusFixtures.hex;
import static captiva.common.radius.RadiusFixtures.hmacMd5;
import static captiva.common.radius.RadiusFixtures.md5;
import static captiva.common.radius.RadiusFixtures.secretOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
@DisplayName("RadiusPacket")
class RadiusPacketTest {

    /** RFC 2865 s7.1: an Access-Request, which has no business on an accounting port. */
    static final String RFC2865_ACCESS_REQUEST =
            "010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d"
                    + "93d413ce3196e43f782a0aee0406c0a80110050600000003";

    /** RFC 5997 s6: a Status-Server to the accounting port, Identifier 179, secret xyzzy5461. */
    static final String RFC5997_STATUS_SERVER =
            "0cb30026925f6b66dd5fed571fcb1db7ad3882605012e8d6eabda910875cd91fd" + "ade26367858";

    static final byte[] RFC5997_SECRET = ascii("xyzzy5461");

    @Nested
    @DisplayName("decoding real packets")
    class DecodingRealPackets {

        @ParameterizedTest(name = "{0}")
        @FieldSource("captiva.common.radius.RadiusFixtures#PACKETS")
        void everyFixtureIsAnAccountingRequestWithTheIdentifierAndLengthOfItsDecode(String name) {
            RadiusFixtures.Decode expected = decodeOf(name);

            RadiusPacket packet = decoded(name);

            assertEquals(
                    List.of(
                            RadiusPacket.ACCOUNTING_REQUEST,
                            expected.identifier(),
                            expected.length()),
                    List.of(packet.code(), packet.identifier(), packet.length()));
        }

        @ParameterizedTest(name = "{0}")
        @FieldSource("captiva.common.radius.RadiusFixtures#PACKETS")
        void everyFixtureHasOneAttributePerLineOfItsDecode(String name) {
            int lines = decodeOf(name).lines().size();

            RadiusPacket packet = decoded(name);

            assertEquals(lines, packet.attributes().size());
        }

        @Test
        void theAuthenticatorIsKeptAsSent() {
            RadiusPacket packet = decoded("orig-cisco-wlc4400-start");

            byte[] authenticator = packet.authenticator();

            assertArrayEquals(bytes("9985504ef9aae54d5d5d5df07b848863"), authenticator);
        }

        @Test
        void vendorSpecificAttributesAreKeptRawWithTheirVendorId() {
            RadiusPacket packet = decoded("orig-cisco-wlc4400-start");

            RadiusAttribute airespace = packet.attribute(26).orElseThrow();

            // Vendor-Id 14179 (Airespace), then sub-attribute 1 (Airespace-Wlan-Id), length 6,
            // value 2
            assertArrayEquals(bytes("00003763010600000002"), airespace.value());
        }

        @Test
        void theRadSecStreamSplitsIntoItsTwoPacketsByTheLengthField() {
            byte[] stream = hex(RadiusFixtures.RADSEC_STREAM);

            RadiusPacket first = decode(stream);
            RadiusPacket second = decode(Arrays.copyOfRange(stream, first.length(), stream.length));

            assertEquals(
                    List.of(164, 128, 165, 128, 256),
                    List.of(
                            first.identifier(),
                            first.length(),
                            second.identifier(),
                            second.length(),
                            stream.length));
        }

        @Test
        void theRadSecStreamsPacketsAreTheSingleFixturesByteForByte() {
            byte[] stream = hex(RadiusFixtures.RADSEC_STREAM);

            RadiusPacket first = decode(stream);
            RadiusPacket second = decode(Arrays.copyOfRange(stream, first.length(), stream.length));

            assertArrayEquals(hex("orig-mikrotik-login-interim-a4"), first.bytes());
            assertArrayEquals(hex("orig-mikrotik-login-interim-a5"), second.bytes());
        }

        @Test
        void octetsAfterTheLengthFieldArePaddingAndIgnored() throws Exception {
            byte[] fixture = hex("orig-cisco-wlc4400-start");
            byte[] padded = Arrays.copyOf(fixture, fixture.length + 7);
            Arrays.fill(padded, fixture.length, padded.length, (byte) 0xff);

            RadiusPacket packet = RadiusPacket.decode(padded, padded.length);

            assertArrayEquals(fixture, packet.bytes());
        }

        @Test
        void onlyTheReceivedPartOfALargerBufferIsRead() throws Exception {
            byte[] fixture = hex("orig-mikrotik-login-start-c0");
            byte[] buffer = Arrays.copyOf(fixture, 4096);

            RadiusPacket packet = RadiusPacket.decode(buffer, fixture.length);

            assertArrayEquals(fixture, packet.bytes());
        }

        @Test
        void anAttributeOfLengthTwoHasAnEmptyValue() {
            byte[] datagram =
                    RadiusPacketBuilder.accountingRequest(1)
                            .attribute(1, new byte[0])
                            .build(ascii("s"));

            RadiusPacket packet = decode(datagram);

            assertEquals(0, packet.attribute(1).orElseThrow().valueLength());
        }

        @Test
        void aPacketWithoutAttributesHasNone() {
            byte[] datagram = RadiusPacketBuilder.accountingRequest(1).build(ascii("s"));

            RadiusPacket packet = decode(datagram);

            assertEquals(List.of(), packet.attributes());
        }

        @Test
        void theFirstOfRepeatedAttributesIsTheOneLookedUp() {
            RadiusPacket packet =
                    decoded("orig-aruba-controller-interim-anon"); // Acct-Output-Packets (48) twice

            RadiusAttribute first = packet.attribute(48).orElseThrow();

            assertArrayEquals(bytes("5738c959"), first.value()); // 1463339353, the capture time
        }

        @Test
        void toStringLeavesAttributeValuesOut() {
            RadiusPacket packet = decoded("orig-cisco-wlc4400-start");

            String text = packet.toString();

            assertEquals("RadiusPacket[code=4, identifier=18, length=194, attributes=14]", text);
        }
    }

    @Nested
    @DisplayName("decoding rejects")
    class DecodingRejects {

        @Test
        void noDatagramAtAll() {
            RadiusCodecException e =
                    assertThrows(RadiusCodecException.class, () -> RadiusPacket.decode(null, 0));

            assertEquals("no datagram", e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(ints = {-1, 129, Integer.MIN_VALUE, Integer.MAX_VALUE})
        void aReceivedLengthOutsideTheBuffer(int length) {
            byte[] datagram = hex("orig-mikrotik-login-start-c0");

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, length));

            assertTrue(e.getMessage().contains("outside its buffer of 128 octets"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 19})
        void fewerThanTwentyOctets(int length) {
            byte[] datagram = hex("orig-mikrotik-login-start-c0");

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, length));

            assertTrue(e.getMessage().contains("shorter than the 20-octet header"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 19})
        void aLengthFieldBelowTwenty(int declared) {
            byte[] datagram = withLengthField(hex("orig-mikrotik-login-start-c0"), declared);

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, datagram.length));

            assertEquals(
                    "Length field " + declared + " is below the minimum of 20", e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(ints = {4097, 0xffff})
        void aLengthFieldAbove4096(int declared) {
            byte[] datagram =
                    withLengthField(
                            Arrays.copyOf(hex("orig-mikrotik-login-start-c0"), 0x10000), declared);

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, datagram.length));

            assertEquals(
                    "Length field " + declared + " is above the maximum of 4096", e.getMessage());
        }

        @Test
        void aLengthFieldLongerThanWhatArrived() {
            byte[] fixture = hex("orig-mikrotik-login-start-c0");

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class, () -> RadiusPacket.decode(fixture, 127));

            assertEquals("Length field 128 is more than the 127 octets received", e.getMessage());
        }

        @Test
        void theBrokenRadSecVariantWithLength240() {
            // The keycloak-radius-plugin test's deliberately broken copy: Length 0x00f0 on a
            // 128-octet packet.
            byte[] datagram = withLengthField(hex("orig-mikrotik-login-interim-a4"), 0xf0);

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, datagram.length));

            assertEquals("Length field 240 is more than the 128 octets received", e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1})
        void anAttributeLengthBelowTwo(int attributeLength) {
            byte[] datagram = hex("orig-mikrotik-login-start-c0");
            datagram[21] = (byte) attributeLength; // the first attribute, Service-Type

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, datagram.length));

            assertEquals(
                    "attribute 6 at octet 20 has Length "
                            + attributeLength
                            + ", below the minimum of 2",
                    e.getMessage());
        }

        @Test
        void anAttributeRunningPastThePacket() {
            byte[] datagram = hex("orig-mikrotik-login-start-c0");
            datagram[123] =
                    7; // the last attribute, NAS-IP-Address, claims one octet more than is left

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, datagram.length));

            assertEquals(
                    "attribute 4 at octet 122 has Length 7 but only 6 octets are left in the packet",
                    e.getMessage());
        }

        @Test
        void anAttributeRunningPastTheLengthFieldThoughNotPastTheDatagram() {
            byte[] fixture = hex("orig-mikrotik-login-start-c0");
            byte[] datagram =
                    withLengthField(Arrays.copyOf(fixture, 200), 125); // cuts NAS-IP-Address short

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, datagram.length));

            assertEquals(
                    "attribute 4 at octet 122 has Length 6 but only 3 octets are left in the packet",
                    e.getMessage());
        }

        @Test
        void aSingleOctetAfterTheLastAttribute() {
            byte[] fixture = hex("orig-mikrotik-login-start-c0");
            byte[] datagram = withLengthField(Arrays.copyOf(fixture, 129), 129);

            RadiusCodecException e =
                    assertThrows(
                            RadiusCodecException.class,
                            () -> RadiusPacket.decode(datagram, datagram.length));

            assertEquals(
                    "attribute at octet 128 has no room for its Type and Length", e.getMessage());
        }
    }

    @Nested
    @DisplayName("authenticity")
    class Authenticity {

        @ParameterizedTest(name = "{0}")
        @FieldSource("captiva.common.radius.RadiusFixtures#SIGNED_PACKETS")
        void everySignedFixtureIsAuthenticWithItsSecret(String name) {
            RadiusPacket packet = decoded(name);

            boolean authentic = packet.isAuthentic(secretOf(name).orElseThrow());

            assertTrue(authentic);
        }

        @ParameterizedTest(name = "{0}")
        @FieldSource("captiva.common.radius.RadiusFixtures#SIGNED_PACKETS")
        void everySignedFixtureFailsWithAnotherSecret(String name) {
            RadiusPacket packet = decoded(name);

            boolean authentic = packet.isAuthentic(ascii("not-the-secret"));

            assertFalse(authentic);
        }

        @ParameterizedTest(name = "bit {0}")
        @ValueSource(ints = {8, 15, 32, 100, 159, 160, 161, 500, 1000, 1551})
        void anyFlippedBitOutsideTheLengthFieldFailsTheCheck(int bit) {
            byte[] datagram = hex("orig-cisco-wlc4400-start");
            datagram[bit / 8] ^= (byte) (1 << (bit % 8));
            RadiusPacket packet = decode(datagram);

            boolean authentic = packet.isAuthentic(ascii("nearbuy"));

            assertFalse(authentic);
        }

        @ParameterizedTest
        @ValueSource(strings = {"testing123", "nearbuy", "radsec", "secret", "aruba123"})
        void theArubaCaptureWithAZeroedAuthenticatorIsNeverAuthentic(String secret) {
            RadiusPacket packet = decoded("orig-aruba-controller-interim-anon");

            boolean authentic = packet.isAuthentic(ascii(secret));

            assertFalse(authentic);
        }

        @Test
        void theRfc5997StatusServerIsAuthenticWithItsSecret() {
            RadiusPacket packet = decode(bytes(RFC5997_STATUS_SERVER));

            boolean authentic = packet.isAuthentic(RFC5997_SECRET);

            assertTrue(authentic);
        }

        @Test
        void theRfc5997StatusServerFailsWithAnotherSecret() {
            RadiusPacket packet = decode(bytes(RFC5997_STATUS_SERVER));

            boolean authentic = packet.isAuthentic(ascii("xyzzy5462"));

            assertFalse(authentic);
        }

        @Test
        void aStatusServerWithAFlippedBitFails() {
            byte[] datagram = bytes(RFC5997_STATUS_SERVER);
            datagram[10] ^= 0x01; // inside the Request Authenticator, which the HMAC covers
            RadiusPacket packet = decode(datagram);

            boolean authentic = packet.isAuthentic(RFC5997_SECRET);

            assertFalse(authentic);
        }

        @Test
        void aStatusServerWithoutMessageAuthenticatorFails() {
            // Signed like an Accounting-Request, which proves nothing for a Status-Server (RFC 5997
            // requires the HMAC)
            byte[] datagram =
                    RadiusPacketBuilder.accountingRequest(9)
                            .nasIdentifier("ap-1")
                            .build(RFC5997_SECRET);
            datagram[0] = RadiusPacket.STATUS_SERVER;
            RadiusPacket packet = decode(datagram);

            boolean authentic = packet.isAuthentic(RFC5997_SECRET);

            assertFalse(authentic);
        }

        @Test
        void aStatusServerWithTwoMessageAuthenticatorsFails() {
            byte[] authenticator = bytes("925f6b66dd5fed571fcb1db7ad388260");
            byte[] datagram =
                    RadiusPacketBuilder.statusServer(1, authenticator)
                            .attribute(80, new byte[16])
                            .build(RFC5997_SECRET);
            RadiusPacket packet = decode(datagram);

            boolean authentic = packet.isAuthentic(RFC5997_SECRET);

            assertFalse(authentic);
        }

        @Test
        void aStatusServerWithAShortMessageAuthenticatorFails() {
            byte[] datagram = Arrays.copyOf(bytes(RFC5997_STATUS_SERVER), 37);
            datagram[3] = 37;
            datagram[21] = 17;
            RadiusPacket packet = decode(datagram);

            boolean authentic = packet.isAuthentic(RFC5997_SECRET);

            assertFalse(authentic);
        }

        @Test
        void aBuiltStatusServerIsAuthentic() {
            byte[] datagram =
                    RadiusPacketBuilder.statusServer(42, bytes("00112233445566778899aabbccddeeff"))
                            .nasIdentifier("Status Check. Are you alive?")
                            .build(ascii("testing123"));
            RadiusPacket packet = decode(datagram);

            boolean authentic = packet.isAuthentic(ascii("testing123"));

            assertTrue(authentic);
        }

        @Test
        void anAccessRequestIsNeverAuthenticOnTheAccountingPort() {
            RadiusPacket packet = decode(bytes(RFC2865_ACCESS_REQUEST));

            boolean authentic = packet.isAuthentic(RFC5997_SECRET); // its real secret

            assertFalse(authentic);
        }

        @Test
        void anEmptySecretIsAConfigurationMistake() {
            RadiusPacket packet = decoded("orig-cisco-wlc4400-start");

            assertThrows(IllegalArgumentException.class, () -> packet.isAuthentic(new byte[0]));
        }
    }

    @Nested
    @DisplayName("Message-Authenticator on an Accounting-Request (BlastRADIUS)")
    class MessageAuthenticatorOnAccounting {

        static final String SIGNED = "radclient-message-authenticator-start";
        static final byte[] SECRET = ascii("testing123");

        @Test
        void radclientsSignedStartIsSigned() {
            RadiusPacket packet = decoded(SIGNED);

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.SIGNED, authenticity);
        }

        @Test
        void aStartWithoutOneIsUnsignedButAuthentic() {
            RadiusPacket packet = decoded("log-cisco-catalyst-interim");

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.UNSIGNED, authenticity);
        }

        @Test
        void aWrongOneUnderARightRequestAuthenticatorIsABadMessageAuthenticator() {
            // What BlastRADIUS forges: the MD5 Request Authenticator still matches, the HMAC does
            // not.
            byte[] datagram = resigned(hex(SIGNED), d -> d[d.length - 1] ^= 0x01);
            RadiusPacket packet = decode(datagram);

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.BAD_MESSAGE_AUTHENTICATOR, authenticity);
        }

        @Test
        void oneComputedWithTheRequestAuthenticatorInPlaceIsWrong() {
            // Access-Request style (RFC 3579 s3.2 for Access-Request): accounting zeroes the
            // Authenticator field.
            byte[] datagram = hex(SIGNED);
            int value = datagram.length - 16;
            Arrays.fill(datagram, value, datagram.length, (byte) 0);
            Arrays.fill(datagram, 4, 20, (byte) 0x5a);
            System.arraycopy(hmacMd5(SECRET, datagram), 0, datagram, value, 16);
            datagram = resigned(datagram, d -> {});
            RadiusPacket packet = decode(datagram);

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.BAD_MESSAGE_AUTHENTICATOR, authenticity);
        }

        @Test
        void aSecondOneIsABadMessageAuthenticator() {
            byte[] datagram =
                    RadiusPacketBuilder.accountingRequest(1)
                            .messageAuthenticator()
                            .acctSessionId("a")
                            .attribute(80, new byte[16])
                            .build(SECRET);
            RadiusPacket packet = decode(datagram);

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.BAD_MESSAGE_AUTHENTICATOR, authenticity);
        }

        @Test
        void oneOfTheWrongLengthIsABadMessageAuthenticator() {
            byte[] datagram =
                    RadiusPacketBuilder.accountingRequest(1)
                            .acctSessionId("a")
                            .attribute(80, new byte[15])
                            .build(SECRET);
            RadiusPacket packet = decode(datagram);

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.BAD_MESSAGE_AUTHENTICATOR, authenticity);
        }

        @Test
        void aFlippedMessageAuthenticatorWithoutResigningIsABadRequestAuthenticator() {
            byte[] datagram = hex(SIGNED);
            datagram[datagram.length - 1] ^= 0x01;
            RadiusPacket packet = decode(datagram);

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.BAD_AUTHENTICATOR, authenticity);
        }

        @Test
        void theBuilderSignsAsRadclientDoes() {
            byte[] datagram =
                    RadiusPacketBuilder.accountingRequest(7)
                            .messageAuthenticator()
                            .acctStatusType(AcctStatusType.START)
                            .acctSessionId("b-1")
                            .build(SECRET);
            RadiusPacket packet = decode(datagram);

            RadiusPacket.Authenticity authenticity = packet.authenticity(SECRET);

            assertEquals(RadiusPacket.Authenticity.SIGNED, authenticity);
        }

        @Test
        void theResponseToASignedRequestCarriesAMessageAuthenticatorOverItWithAZeroAuthenticator() {
            // As FreeRADIUS signs and checks an Accounting-Response; radclient refused the Request
            // Authenticator in place.
            RadiusPacket request = decoded(SIGNED);

            byte[] response = request.accountingResponse(SECRET);

            byte[] unsigned = new byte[38];
            System.arraycopy(bytes("052a0026"), 0, unsigned, 0, 4);
            System.arraycopy(bytes("5012"), 0, unsigned, 20, 2);
            assertEquals(38, response.length);
            assertArrayEquals(bytes("5012"), Arrays.copyOfRange(response, 20, 22));
            assertArrayEquals(hmacMd5(SECRET, unsigned), Arrays.copyOfRange(response, 22, 38));
            assertArrayEquals(
                    md5(
                            bytes("052a0026"),
                            request.authenticator(),
                            Arrays.copyOfRange(response, 20, 38),
                            SECRET),
                    Arrays.copyOfRange(response, 4, 20));
        }

        @Test
        void theResponseToAnUnsignedRequestCarriesNone() {
            RadiusPacket request = decoded("log-cisco-catalyst-interim");

            byte[] response = request.accountingResponse(SECRET);

            assertEquals(20, response.length);
        }

        /**
         * The datagram changed by {@code change}, then given the Request Authenticator its new
         * octets need.
         */
        private static byte[] resigned(
                byte[] datagram, java.util.function.Consumer<byte[]> change) {
            change.accept(datagram);
            byte[] zeroed = datagram.clone();
            Arrays.fill(zeroed, 4, 20, (byte) 0);
            System.arraycopy(md5(zeroed, SECRET), 0, datagram, 4, 16);
            return datagram;
        }
    }

    @Nested
    @DisplayName("Accounting-Response")
    class AccountingResponse {

        @Test
        void answersAnAccountingRequestWithCode5TheSameIdentifierAndNoAttributes() {
            RadiusPacket request = decoded("orig-cisco-wlc4400-start");

            byte[] response = request.accountingResponse(ascii("nearbuy"));

            assertArrayEquals(bytes("05120014"), Arrays.copyOf(response, 4));
            assertEquals(20, response.length);
        }

        @Test
        void itsResponseAuthenticatorIsMd5OfTheResponseWithTheRequestAuthenticatorAndTheSecret() {
            RadiusPacket request = decoded("orig-cisco-wlc4400-start");

            byte[] response = request.accountingResponse(ascii("nearbuy"));

            byte[] expected =
                    md5(
                            bytes("05120014"),
                            bytes("9985504ef9aae54d5d5d5df07b848863"),
                            ascii("nearbuy"));
            assertArrayEquals(expected, Arrays.copyOfRange(response, 4, 20));
        }

        @Test
        void proxyStateIsEchoedUnchangedAndInOrder() {
            byte[] datagram =
                    RadiusPacketBuilder.accountingRequest(3)
                            .attribute(33, ascii("first"))
                            .acctSessionId("s-1")
                            .attribute(33, ascii("second"))
                            .build(ascii("testing123"));
            RadiusPacket request = decode(datagram);

            byte[] response = request.accountingResponse(ascii("testing123"));

            byte[] proxyStates = bytes("2107666972737421087365636f6e64"); // 33 "first", 33 "second"
            byte[] header = bytes("05030023");
            byte[] expected =
                    md5(header, request.authenticator(), proxyStates, ascii("testing123"));
            assertArrayEquals(header, Arrays.copyOf(response, 4));
            assertArrayEquals(expected, Arrays.copyOfRange(response, 4, 20));
            assertArrayEquals(proxyStates, Arrays.copyOfRange(response, 20, response.length));
        }

        @Test
        void aStatusServerIsAnsweredWithAnAccountingResponseCarryingAMessageAuthenticator() {
            RadiusPacket request = decode(bytes(RFC5997_STATUS_SERVER));

            byte[] response = request.accountingResponse(RFC5997_SECRET);

            assertArrayEquals(bytes("05b30026"), Arrays.copyOf(response, 4));
            assertArrayEquals(
                    bytes("5012"), Arrays.copyOfRange(response, 20, 22)); // the only attribute
            assertEquals(38, response.length);
        }

        @Test
        void
                theStatusServerAnswersMessageAuthenticatorIsHmacMd5WithTheRequestAuthenticatorInPlace() {
            RadiusPacket request = decode(bytes(RFC5997_STATUS_SERVER));

            byte[] response = request.accountingResponse(RFC5997_SECRET);

            byte[] unsigned = new byte[38];
            System.arraycopy(bytes("05b30026"), 0, unsigned, 0, 4);
            System.arraycopy(request.authenticator(), 0, unsigned, 4, 16);
            System.arraycopy(bytes("5012"), 0, unsigned, 20, 2);
            byte[] expected = hmacMd5(RFC5997_SECRET, unsigned);
            assertArrayEquals(expected, Arrays.copyOfRange(response, 22, 38));
        }

        @Test
        void theStatusServerAnswersResponseAuthenticatorCoversTheMessageAuthenticator() {
            RadiusPacket request = decode(bytes(RFC5997_STATUS_SERVER));

            byte[] response = request.accountingResponse(RFC5997_SECRET);

            byte[] expected =
                    md5(
                            bytes("05b30026"),
                            request.authenticator(),
                            Arrays.copyOfRange(response, 20, 38),
                            RFC5997_SECRET);
            assertArrayEquals(expected, Arrays.copyOfRange(response, 4, 20));
        }

        @Test
        void theResponseDecodesAsAnAccountingResponse() {
            RadiusPacket request = decoded("log-cisco-catalyst-interim");

            RadiusPacket response = decode(request.accountingResponse(ascii("testing123")));

            assertEquals(
                    List.of(RadiusPacket.ACCOUNTING_RESPONSE, 186, 20),
                    List.of(response.code(), response.identifier(), response.length()));
        }

        @Test
        void answeringAnythingElseIsAProgrammingMistake() {
            RadiusPacket request = decode(bytes(RFC2865_ACCESS_REQUEST));

            assertThrows(
                    IllegalStateException.class, () -> request.accountingResponse(RFC5997_SECRET));
        }
    }

    static byte[] withLengthField(byte[] datagram, int length) {
        datagram[2] = (byte) (length >>> 8);
        datagram[3] = (byte) length;
        return datagram;
    }
}
