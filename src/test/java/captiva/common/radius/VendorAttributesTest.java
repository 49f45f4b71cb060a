package captiva.common.radius;

import static captiva.common.radius.RadiusFixtures.accountingRequest;
import static captiva.common.radius.RadiusFixtures.ascii;
import static captiva.common.radius.RadiusFixtures.bytes;
import static captiva.common.radius.RadiusFixtures.decode;
import static captiva.common.radius.VendorAttributeBytes.concat;
import static captiva.common.radius.VendorAttributeBytes.sub;
import static captiva.common.radius.VendorAttributeBytes.vsa;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.common.radius.AccountingRequest.AccessPoint;
import captiva.testing.Fast;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Vendor attributes, Called-Station-Id and the IPv6 and identity attributes, read from radclient's
 * own encoding (the {@code radclient-*} fixtures, made from the FreeRADIUS 3.2 dictionaries), from
 * the shared real packets and from packets built here to be broken.
 */
@Fast
@DisplayName("vendor, IPv6 and identity attributes")
class VendorAttributesTest {

    private static final byte[] SECRET = ascii("testing123");

    @Nested
    @DisplayName("access point and SSID, per vendor")
    class PerVendor {

        @Test
        void arubaNamesTheSsidTheApAndItsGroupAndCalledStationIdTheApMac() {
            AccessPoint ap = accountingRequest("radclient-aruba-vsa-start").accessPoint();

            assertEquals(
                    new AccessPoint(
                            "Hotel Guest", "04:bd:88:c9:5f:f0", "Lobby-AP-2", "Floor 1", null),
                    ap);
        }

        @Test
        void ruckusNamesTheSsidLocationZoneAndBssidWhenCalledStationIdIsNoMac() {
            AccessPoint ap = accountingRequest("radclient-ruckus-vsa-interim").accessPoint();

            assertEquals(
                    new AccessPoint(
                            "Mall WiFi", "2c:5d:93:a1:b2:c3", "Food Court", "North Wing", null),
                    ap);
        }

        @Test
        void ciscoAvPairCiscoWlanSsidIsTheSsidAndOtherKeysAreSkipped() {
            AccessPoint ap = accountingRequest("radclient-cisco-avpair-start").accessPoint();

            assertEquals(
                    new AccessPoint("Stadium Free", "f4:db:e6:a1:b2:c3", null, null, null), ap);
        }

        @Test
        void wisprNamesTheHotspotLocationAndChilliSpotIsSkipped() {
            AccessPoint ap = accountingRequest("radclient-wispr-chillispot-start").accessPoint();

            assertEquals(
                    new AccessPoint(
                            null,
                            "90:e2:ba:81:1e:76",
                            "Ipera_Cafe",
                            null,
                            "isocc=tr,cc=90,ac=212,network=Ipera,"),
                    ap);
        }

        @Test
        void mikrotikAndUbiquitiSayNothingButCalledStationIdGivesApMacAndSsid() {
            AccountingRequest request = accountingRequest("radclient-mikrotik-ubiquiti-start");

            assertEquals(
                    new AccessPoint("Cafe WiFi", "aa:bb:cc:dd:ee:ff", null, null, null),
                    request.accessPoint());
            assertEquals(List.of(), request.invalidVendorAttributes());
        }

        @Test
        void theRealArubaControllerInterimNamesEssidLocationAndGroup() {
            AccessPoint ap = accountingRequest("orig-aruba-controller-interim-anon").accessPoint();

            assertEquals(
                    new AccessPoint(
                            "xxx-employee",
                            "00:1a:1e:00:00:00",
                            "XXXX-000-000-000a2",
                            "XXX2",
                            null),
                    ap);
        }

        @Test
        void theRealArubaInstantStartNamesTheApByItsMac() {
            AccessPoint ap = accountingRequest("log-aruba-iap-start").accessPoint();

            assertEquals(
                    new AccessPoint("radius", "04:bd:88:c9:5f:f0", "04:bd:88:c9:5f:f0", null, null),
                    ap);
        }

        @Test
        void theRealCoovaChilliPacketNamesItsWisprLocationDespiteAnUnknownChilliSpotAttribute() {
            AccountingRequest request = accountingRequest("log-coovachilli-accounting-on");

            assertEquals(
                    new AccessPoint(
                            null,
                            "90:e2:ba:81:1e:76",
                            "BUCH",
                            null,
                            "isocc=,cc=,ac=,network=network,"),
                    request.accessPoint());
            assertEquals(List.of(), request.invalidVendorAttributes());
        }
    }

    @Nested
    @DisplayName("Called-Station-Id")
    class CalledStationId {

        @ParameterizedTest(name = "{0}")
        @CsvSource(
                delimiter = '|',
                nullValues = "-",
                value = {
                    "04-BD-88-C9-5F-F0:Hotel Guest | 04:bd:88:c9:5f:f0 | Hotel Guest",
                    "04:bd:88:c9:5f:f0:Cafe:Free   | 04:bd:88:c9:5f:f0 | Cafe:Free",
                    "04bd88c95ff0:Lobby            | 04:bd:88:c9:5f:f0 | Lobby",
                    "04BD88C95FF0                  | 04:bd:88:c9:5f:f0 | -",
                    "04bd.88c9.5ff0                | 04:bd:88:c9:5f:f0 | -",
                    "04-BD-88-C9-5F-F0:            | 04:bd:88:c9:5f:f0 | -",
                    "hotspot1                      | -                 | -",
                    "192.168.1.1                   | -                 | -",
                    "04-BD-88-C9-5F-F0-Lobby       | -                 | -"
                })
        void isReadAsApMacAndOptionalSsid(String calledStationId, String apMac, String ssid) {
            AccountingRequest request =
                    request(
                            RadiusPacketBuilder.accountingRequest(1)
                                    .acctStatusType(AcctStatusType.START)
                                    .acctSessionId("c-1")
                                    .calledStationId(calledStationId.strip()));

            AccessPoint ap = request.accessPoint();

            assertEquals(apMac, ap.apMac());
            assertEquals(ssid, ap.ssid());
        }

        @Test
        void aVendorSsidWinsOverTheCalledStationIdOne() {
            AccountingRequest request =
                    request(
                            start().calledStationId("04-BD-88-C9-5F-F0:Old Name")
                                    .attribute(
                                            AttributeTypes.VENDOR_SPECIFIC,
                                            vsa(VendorDictionary.ARUBA, sub(5, "New Name"))));

            assertEquals("New Name", request.accessPoint().ssid());
        }
    }

    @Nested
    @DisplayName("malformed and unknown vendor attributes")
    class Malformed {

        @Test
        void aSubAttributeOverrunningItsVendorSpecificIsSkippedAndNamedAndThePacketIsStillUsable() {
            byte[] overrun =
                    vsa(
                            VendorDictionary.ARUBA,
                            new byte[] {5, 40, 'x', 'y'}); // says 40 octets, has 4

            AccountingRequest request =
                    request(
                            start().calledStationId("04-BD-88-C9-5F-F0:Guest")
                                    .attribute(AttributeTypes.VENDOR_SPECIFIC, overrun));

            assertEquals(
                    1,
                    request.invalidVendorAttributes().size(),
                    request.invalidVendorAttributes().toString());
            assertEquals(List.of(), request.malformedAttributes());
            assertEquals(
                    new AccessPoint("Guest", "04:bd:88:c9:5f:f0", null, null, null),
                    request.accessPoint());
            assertEquals(Optional.of("s-1"), request.acctSessionId());
        }

        @Test
        void oneBadSubAttributeVoidsTheWholeVendorSpecificNotJustItself() {
            byte[] value =
                    concat(
                            vsa(VendorDictionary.ARUBA, sub(5, "Good SSID")),
                            new byte[] {6, 1}); // Vendor-Length 1

            AccountingRequest request =
                    request(start().attribute(AttributeTypes.VENDOR_SPECIFIC, value));

            assertEquals(null, request.accessPoint().ssid());
            assertEquals(1, request.invalidVendorAttributes().size());
        }

        @Test
        void anUnknownVendorIsSkippedUnreadWhateverItsFormat() {
            byte[] lucentStyle =
                    vsa(
                            4846,
                            new byte[] {
                                0, 1, 7, 'a', 'b', 'c', 'd'
                            }); // 2-octet types: not ours to read

            AccountingRequest request =
                    request(
                            start().attribute(AttributeTypes.VENDOR_SPECIFIC, lucentStyle)
                                    .attribute(
                                            AttributeTypes.VENDOR_SPECIFIC,
                                            new byte[] {0, 0})); // shorter than a Vendor-Id

            assertEquals(List.of(), request.invalidVendorAttributes());
            assertEquals(new AccessPoint(null, null, null, null, null), request.accessPoint());
        }

        @Test
        void anUnknownAttributeOfAKnownVendorIsSkipped() {
            AccountingRequest request =
                    request(
                            start().attribute(
                                            AttributeTypes.VENDOR_SPECIFIC,
                                            vsa(VendorDictionary.ARUBA, sub(200, "whatever"))));

            assertEquals(List.of(), request.invalidVendorAttributes());
            assertEquals(new AccessPoint(null, null, null, null, null), request.accessPoint());
        }

        @Test
        void aNulInsideAVendorTextIsNeitherStoredNorChangedButTheRestIsRead() {
            byte[] value =
                    concat(
                            vsa(
                                    VendorDictionary.RUCKUS,
                                    concat(sub(3, "Mall\0WiFi"), sub(5, "Food Court"))));

            AccountingRequest request =
                    request(start().attribute(AttributeTypes.VENDOR_SPECIFIC, value));

            assertEquals(
                    new AccessPoint(null, null, "Food Court", null, null), request.accessPoint());
            assertEquals(
                    List.of("Ruckus-SSID: NUL inside its text"), request.invalidVendorAttributes());
            assertEquals(List.of(), request.attributesWithNul());
        }

        @Test
        void aBssidThatIsNotSixOctetsIsSkippedAndNamed() {
            byte[] bssid = new byte[] {14, 7, 1, 2, 3, 4, 5};

            AccountingRequest request =
                    request(
                            start().attribute(
                                            AttributeTypes.VENDOR_SPECIFIC,
                                            vsa(VendorDictionary.RUCKUS, bssid)));

            assertEquals(null, request.accessPoint().apMac());
            assertEquals(
                    List.of("Ruckus-BSSID: 5 octets, not a MAC address"),
                    request.invalidVendorAttributes());
        }
    }

    @Nested
    @DisplayName("IPv6 and identity")
    class Ipv6AndIdentity {

        @Test
        void radclientsIpv6AndIdentityAttributesReadAsSent() {
            AccountingRequest request = accountingRequest("radclient-ipv6-identity-start");

            assertEquals(
                    "2001:db8:1:2::7",
                    AccountingRequestTest.compressed(request.framedIpv6Address().orElseThrow()));
            assertEquals(
                    "2001:db8:1:2:0:0:0:0/64", request.framedIpv6Prefix().orElseThrow().toString());
            assertEquals(
                    "2001:db8:ff00:0:0:0:0:0/56",
                    request.delegatedIpv6Prefix().orElseThrow().toString());
            assertEquals(Optional.of("0211:22ff:fe33:4455"), request.framedInterfaceId());
            assertEquals(Optional.of("02000000660 1-multi"), request.acctMultiSessionId());
            assertEquals(
                    "class-42",
                    new String(request.classValue().orElseThrow(), StandardCharsets.US_ASCII));
            assertEquals(
                    "cui-8f3a",
                    new String(
                            request.chargeableUserIdentity().orElseThrow(),
                            StandardCharsets.US_ASCII));
        }

        @Test
        void aPrefixMaySendOnlyTheOctetsItsLengthNeeds() {
            AccountingRequest request =
                    request(
                            start().attribute(
                                            AttributeTypes.FRAMED_IPV6_PREFIX,
                                            bytes("002020010db8"))); // /32, four prefix octets
            // (RFC 3162 s2.3)

            assertEquals(
                    "2001:db8:0:0:0:0:0:0/32", request.framedIpv6Prefix().orElseThrow().toString());
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "a /64 with only four prefix octets, 004020010db8",
            "a length past 128, 008120010db8000000000000000000000000",
            "more than sixteen prefix octets, 004020010db800000000000000000000000000",
            "no Prefix-Length octet, 00"
        })
        void aPrefixThatDoesNotFitRfc3162IsMalformed(String what, String hex) {
            AccountingRequest request =
                    request(start().attribute(AttributeTypes.DELEGATED_IPV6_PREFIX, bytes(hex)));

            assertEquals(List.of("Delegated-IPv6-Prefix"), request.malformedAttributes());
        }

        @Test
        void anInterfaceIdThatIsNotEightOctetsIsMalformed() {
            AccountingRequest request =
                    request(
                            start().attribute(
                                            AttributeTypes.FRAMED_INTERFACE_ID,
                                            bytes("0211223344")));

            assertEquals(List.of("Framed-Interface-Id"), request.malformedAttributes());
        }
    }

    private static RadiusPacketBuilder start() {
        return RadiusPacketBuilder.accountingRequest(7)
                .acctStatusType(AcctStatusType.START)
                .acctSessionId("s-1");
    }

    private static AccountingRequest request(RadiusPacketBuilder builder) {
        return decode(builder.build(SECRET)).asAccountingRequest().orElseThrow();
    }
}
