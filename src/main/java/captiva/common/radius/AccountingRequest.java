package captiva.common.radius;

import static captiva.common.radius.AttributeTypes.ACCT_DELAY_TIME;
import static captiva.common.radius.AttributeTypes.ACCT_INPUT_GIGAWORDS;
import static captiva.common.radius.AttributeTypes.ACCT_INPUT_OCTETS;
import static captiva.common.radius.AttributeTypes.ACCT_MULTI_SESSION_ID;
import static captiva.common.radius.AttributeTypes.ACCT_OUTPUT_GIGAWORDS;
import static captiva.common.radius.AttributeTypes.ACCT_OUTPUT_OCTETS;
import static captiva.common.radius.AttributeTypes.ACCT_SESSION_ID;
import static captiva.common.radius.AttributeTypes.ACCT_SESSION_TIME;
import static captiva.common.radius.AttributeTypes.ACCT_STATUS_TYPE;
import static captiva.common.radius.AttributeTypes.ACCT_TERMINATE_CAUSE;
import static captiva.common.radius.AttributeTypes.CALLED_STATION_ID;
import static captiva.common.radius.AttributeTypes.CALLING_STATION_ID;
import static captiva.common.radius.AttributeTypes.CHARGEABLE_USER_IDENTITY;
import static captiva.common.radius.AttributeTypes.CLASS;
import static captiva.common.radius.AttributeTypes.DELEGATED_IPV6_PREFIX;
import static captiva.common.radius.AttributeTypes.EVENT_TIMESTAMP;
import static captiva.common.radius.AttributeTypes.FRAMED_INTERFACE_ID;
import static captiva.common.radius.AttributeTypes.FRAMED_IPV6_ADDRESS;
import static captiva.common.radius.AttributeTypes.FRAMED_IPV6_PREFIX;
import static captiva.common.radius.AttributeTypes.FRAMED_IP_ADDRESS;
import static captiva.common.radius.AttributeTypes.NAS_IDENTIFIER;
import static captiva.common.radius.AttributeTypes.NAS_IP_ADDRESS;
import static captiva.common.radius.AttributeTypes.USER_NAME;
import static captiva.common.radius.AttributeTypes.VENDOR_SPECIFIC;

import captiva.common.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The attributes of an Accounting-Request (Code 4) that Captiva records, each decoded as its RFC
 * defines it. Obtain one with {@link RadiusPacket#asAccountingRequest()}.
 *
 * <p>Rules shared by every accessor:
 *
 * <ul>
 *   <li>Empty means the packet does not carry the attribute, or carries it malformed.
 *   <li>When an attribute appears more than once, the first one counts.
 *   <li>Integers are 32-bit unsigned, so they are returned as {@code long}; times are in seconds.
 *   <li>Text is read as UTF-8 with invalid octets replaced by U+FFFD, exactly as sent (an empty
 *       value stays empty text) but for trailing NULs (a C string's terminator); text is never
 *       malformed, but text with a NUL inside is named by {@link #attributesWithNul()}.
 *   <li>An integer that is not 4 octets, an IPv4 address that is not 4 or an IPv6 address that is
 *       not 16, an interface id that is not 8 or an IPv6 prefix that does not fit its RFC 3162 s2.3
 *       layout is malformed: its accessor is empty and {@link #malformedAttributes()} names it.
 *   <li>Vendor attributes are read through {@link VendorDictionary}; one whose framing is
 *       inconsistent (a sub-attribute overrunning its Vendor-Specific) is an "invalid attribute" in
 *       the sense of RFC 6929 s2.8: it is skipped and named by {@link #invalidVendorAttributes()},
 *       and the packet is otherwise read as usual. Only an outer attribute overrunning the packet
 *       makes the packet unreadable ({@link RadiusPacket#decode}).
 * </ul>
 *
 * Reading never throws, whatever the packet holds. Other attributes are left in {@link #packet()}.
 */
public final class AccountingRequest {

    /**
     * Acct-Terminate-Cause values 1 to 18, named as in RFC 2866 s5.10 (FreeRADIUS dictionary
     * spelling).
     */
    private static final List<String> TERMINATE_CAUSES =
            List.of(
                    "User-Request",
                    "Lost-Carrier",
                    "Lost-Service",
                    "Idle-Timeout",
                    "Session-Timeout",
                    "Admin-Reset",
                    "Admin-Reboot",
                    "Port-Error",
                    "NAS-Error",
                    "NAS-Request",
                    "NAS-Reboot",
                    "Port-Unneeded",
                    "Port-Preempted",
                    "Port-Suspended",
                    "Service-Unavailable",
                    "Callback",
                    "User-Error",
                    "Host-Request");

    /**
     * Beyond this many gigawords a total no longer fits in a signed long (8 EiB): no counter gets
     * there.
     */
    private static final long MAX_GIGAWORDS = Integer.MAX_VALUE;

    private final RadiusPacket packet;
    private final List<String> malformed = new ArrayList<>();
    private final List<String> withNul = new ArrayList<>();

    private final String userName;
    private final Inet4Address nasIpAddress;
    private final Inet4Address framedIpAddress;
    private final String calledStationId;
    private final String callingStationId;
    private final String nasIdentifier;
    private final AcctStatusType acctStatusType;
    private final Long acctDelayTime;
    private final Long acctInputOctets;
    private final Long acctOutputOctets;
    private final String acctSessionId;
    private final Long acctSessionTime;
    private final String acctTerminateCause;
    private final Long acctInputGigawords;
    private final Long acctOutputGigawords;
    private final Instant eventTimestamp;
    private final Inet6Address framedIpv6Address;
    private final Long inputOctets;
    private final Long outputOctets;
    private final Ipv6Prefix framedIpv6Prefix;
    private final Ipv6Prefix delegatedIpv6Prefix;
    private final String framedInterfaceId;
    private final String acctMultiSessionId;
    private final byte[] classValue;
    private final byte[] chargeableUserIdentity;
    private final List<String> invalidVendor = new ArrayList<>();
    private final AccessPoint accessPoint;

    AccountingRequest(RadiusPacket packet) {
        this.packet = packet;
        userName = text(USER_NAME, "User-Name");
        nasIpAddress = ipv4(NAS_IP_ADDRESS, "NAS-IP-Address");
        framedIpAddress = ipv4(FRAMED_IP_ADDRESS, "Framed-IP-Address");
        calledStationId = text(CALLED_STATION_ID, "Called-Station-Id");
        callingStationId = text(CALLING_STATION_ID, "Calling-Station-Id");
        nasIdentifier = text(NAS_IDENTIFIER, "NAS-Identifier");
        Long statusType = integer(ACCT_STATUS_TYPE, "Acct-Status-Type");
        acctStatusType = statusType == null ? null : AcctStatusType.of(statusType);
        acctDelayTime = integer(ACCT_DELAY_TIME, "Acct-Delay-Time");
        acctInputOctets = integer(ACCT_INPUT_OCTETS, "Acct-Input-Octets");
        acctOutputOctets = integer(ACCT_OUTPUT_OCTETS, "Acct-Output-Octets");
        acctSessionId = text(ACCT_SESSION_ID, "Acct-Session-Id");
        acctSessionTime = integer(ACCT_SESSION_TIME, "Acct-Session-Time");
        Long terminateCause = integer(ACCT_TERMINATE_CAUSE, "Acct-Terminate-Cause");
        acctTerminateCause = terminateCause == null ? null : terminateCauseName(terminateCause);
        acctInputGigawords = gigawords(ACCT_INPUT_GIGAWORDS, "Acct-Input-Gigawords");
        acctOutputGigawords = gigawords(ACCT_OUTPUT_GIGAWORDS, "Acct-Output-Gigawords");
        Long timestamp = integer(EVENT_TIMESTAMP, "Event-Timestamp");
        eventTimestamp = timestamp == null ? null : Instant.ofEpochSecond(timestamp);
        framedIpv6Address = ipv6(FRAMED_IPV6_ADDRESS, "Framed-IPv6-Address");
        inputOctets = total(acctInputOctets, acctInputGigawords, ACCT_INPUT_GIGAWORDS);
        outputOctets = total(acctOutputOctets, acctOutputGigawords, ACCT_OUTPUT_GIGAWORDS);
        framedInterfaceId = interfaceId(FRAMED_INTERFACE_ID, "Framed-Interface-Id");
        framedIpv6Prefix = ipv6Prefix(FRAMED_IPV6_PREFIX, "Framed-IPv6-Prefix");
        delegatedIpv6Prefix = ipv6Prefix(DELEGATED_IPV6_PREFIX, "Delegated-IPv6-Prefix");
        acctMultiSessionId = text(ACCT_MULTI_SESSION_ID, "Acct-Multi-Session-Id");
        classValue = first(CLASS);
        chargeableUserIdentity = first(CHARGEABLE_USER_IDENTITY);
        accessPoint = accessPoint(calledStationId);
    }

    /**
     * Where the guest is connected, as far as the packet tells: from the vendor attributes of
     * {@link VendorDictionary} first, then from Called-Station-Id written {@code AP-MAC} or {@code
     * AP-MAC:SSID} (RFC 3580 s3.20, in any of the MAC spellings of {@link MacAddress}). Each part
     * is null when nothing in the packet says it.
     *
     * @param ssid the network's name (Aruba-Essid-Name, Ruckus-SSID, Cisco-AVPair ssid=,
     *     Called-Station-Id)
     * @param apMac the access point's (radio's) MAC, canonical (Called-Station-Id, Ruckus-BSSID)
     * @param apName the access point's or hotspot location's name (Aruba-Location-Id,
     *     Ruckus-Location, WISPr-Location-Name)
     * @param apGroup the group or zone of access points (Aruba-AP-Group, Ruckus-Zone-Name)
     * @param apLocationId the hotspot's location id (WISPr-Location-ID)
     */
    public record AccessPoint(
            String ssid, String apMac, String apName, String apGroup, String apLocationId) {}

    /**
     * An IPv6 prefix as RFC 3162 s2.3 carries it: the address as sent (host bits included) and its
     * length.
     */
    public record Ipv6Prefix(Inet6Address address, int length) {
        /** {@code 2001:db8:1::/48}, which PostgreSQL reads as {@code inet}. */
        @Override
        public String toString() {
            return address.getHostAddress() + "/" + length;
        }
    }

    /** The packet this view reads, for its Identifier, its other attributes and the response. */
    public RadiusPacket packet() {
        return packet;
    }

    /** User-Name (1, RFC 2865 s5.1). */
    public Optional<String> userName() {
        return Optional.ofNullable(userName);
    }

    /**
     * NAS-IP-Address (4, RFC 2865 s5.4): the NAS's own address, which may differ from the
     * datagram's source.
     */
    public Optional<Inet4Address> nasIpAddress() {
        return Optional.ofNullable(nasIpAddress);
    }

    /** Framed-IP-Address (8, RFC 2865 s5.8): the address the device was given. */
    public Optional<Inet4Address> framedIpAddress() {
        return Optional.ofNullable(framedIpAddress);
    }

    /**
     * Called-Station-Id (30, RFC 2865 s5.30): usually the access point's MAC, often followed by
     * {@code :SSID}.
     */
    public Optional<String> calledStationId() {
        return Optional.ofNullable(calledStationId);
    }

    /**
     * Calling-Station-Id (31, RFC 2865 s5.31): usually the device's MAC, spelled as the vendor
     * likes.
     */
    public Optional<String> callingStationId() {
        return Optional.ofNullable(callingStationId);
    }

    /** NAS-Identifier (32, RFC 2865 s5.32). */
    public Optional<String> nasIdentifier() {
        return Optional.ofNullable(nasIdentifier);
    }

    /**
     * Acct-Status-Type (40, RFC 2866 s5.1), with values Captiva does not know as {@link
     * AcctStatusType#UNKNOWN}. Empty only when absent or malformed, which RFC 2866 does not allow.
     */
    public Optional<AcctStatusType> acctStatusType() {
        return Optional.ofNullable(acctStatusType);
    }

    /**
     * Acct-Delay-Time (41, RFC 2866 s5.2): seconds the NAS held the record before this send;
     * subtract it.
     */
    public OptionalLong acctDelayTime() {
        return optional(acctDelayTime);
    }

    /**
     * Acct-Input-Octets (42, RFC 2866 s5.3) as sent, i.e. modulo 2^32; {@link #inputOctets()} adds
     * the wraps.
     */
    public OptionalLong acctInputOctets() {
        return optional(acctInputOctets);
    }

    /**
     * Acct-Output-Octets (43, RFC 2866 s5.4) as sent, i.e. modulo 2^32; {@link #outputOctets()}
     * adds the wraps.
     */
    public OptionalLong acctOutputOctets() {
        return optional(acctOutputOctets);
    }

    /** Acct-Session-Id (44, RFC 2866 s5.5): unique per NAS, not globally. */
    public Optional<String> acctSessionId() {
        return Optional.ofNullable(acctSessionId);
    }

    /** Acct-Session-Time (46, RFC 2866 s5.7), in seconds. */
    public OptionalLong acctSessionTime() {
        return optional(acctSessionTime);
    }

    /**
     * Acct-Terminate-Cause (49, RFC 2866 s5.10) as text: the RFC name for 1 to 18 (e.g. {@code
     * User-Request}, {@code Idle-Timeout}), the decimal number for any other value (e.g. {@code
     * 21}).
     */
    public Optional<String> acctTerminateCause() {
        return Optional.ofNullable(acctTerminateCause);
    }

    /** Acct-Input-Gigawords (52, RFC 2869 s5.1): how often Acct-Input-Octets wrapped past 2^32. */
    public OptionalLong acctInputGigawords() {
        return optional(acctInputGigawords);
    }

    /**
     * Acct-Output-Gigawords (53, RFC 2869 s5.2): how often Acct-Output-Octets wrapped past 2^32.
     */
    public OptionalLong acctOutputGigawords() {
        return optional(acctOutputGigawords);
    }

    /**
     * Event-Timestamp (55, RFC 2869 s5.3): when the event happened at the NAS (whole seconds, UTC).
     */
    public Optional<Instant> eventTimestamp() {
        return Optional.ofNullable(eventTimestamp);
    }

    /**
     * Framed-IPv6-Address (168, RFC 6911 s3.1): the device's IPv6 address. Always an {@link
     * Inet6Address}, even for an IPv4-mapped address, so that the attribute's type is not lost.
     */
    public Optional<Inet6Address> framedIpv6Address() {
        return Optional.ofNullable(framedIpv6Address);
    }

    /**
     * Framed-IPv6-Prefix (97, RFC 3162 s2.3): the prefix the device's addresses come from (SLAAC).
     */
    public Optional<Ipv6Prefix> framedIpv6Prefix() {
        return Optional.ofNullable(framedIpv6Prefix);
    }

    /**
     * Delegated-IPv6-Prefix (123, RFC 4818 s3): a prefix delegated to the device (DHCPv6-PD) to
     * route on.
     */
    public Optional<Ipv6Prefix> delegatedIpv6Prefix() {
        return Optional.ofNullable(delegatedIpv6Prefix);
    }

    /**
     * Framed-Interface-Id (96, RFC 3162 s2.2): the 64-bit interface id of the device's IPv6
     * address, written as FreeRADIUS writes an ifid, {@code 0211:22ff:fe33:4455}.
     */
    public Optional<String> framedInterfaceId() {
        return Optional.ofNullable(framedInterfaceId);
    }

    /**
     * Acct-Multi-Session-Id (50, RFC 2866 s5.11): ties together the sessions of one connection
     * (roams, reconnects).
     */
    public Optional<String> acctMultiSessionId() {
        return Optional.ofNullable(acctMultiSessionId);
    }

    /**
     * Class (25, RFC 2865 s5.25), the first one: octets the RADIUS server gave at login, echoed in
     * accounting.
     */
    public Optional<byte[]> classValue() {
        return Optional.ofNullable(classValue).map(byte[]::clone);
    }

    /**
     * Chargeable-User-Identity (89, RFC 4372): a stable, often opaque, identity of the user across
     * sessions.
     */
    public Optional<byte[]> chargeableUserIdentity() {
        return Optional.ofNullable(chargeableUserIdentity).map(byte[]::clone);
    }

    /**
     * The access point and SSID, from vendor attributes and Called-Station-Id; parts unknown are
     * null.
     */
    public AccessPoint accessPoint() {
        return accessPoint;
    }

    /**
     * Vendor-Specific attributes of a vendor in {@link VendorDictionary} that were skipped because
     * their framing or value is inconsistent (e.g. {@code Vendor-Specific 14823: sub-attribute
     * overruns}), in wire order. They do not make the packet unusable (RFC 6929 s2.8); they are
     * listed for logs and tests.
     */
    public List<String> invalidVendorAttributes() {
        return Collections.unmodifiableList(invalidVendor);
    }

    /**
     * What the device sent, in octets: Acct-Input-Gigawords x 2^32 + Acct-Input-Octets, with no
     * gigawords counting as 0. Empty when Acct-Input-Octets is absent or when either attribute is
     * malformed.
     */
    public OptionalLong inputOctets() {
        return optional(inputOctets);
    }

    /**
     * What the device received, in octets: Acct-Output-Gigawords x 2^32 + Acct-Output-Octets, with
     * no gigawords counting as 0. Empty when Acct-Output-Octets is absent or when either attribute
     * is malformed.
     */
    public OptionalLong outputOctets() {
        return optional(outputOctets);
    }

    /**
     * The RFC names of the attributes above whose value does not fit their type, in Type order
     * (e.g. {@code [NAS-IP-Address]} for a 5-octet address). A gigawords value of 2^31 or more is
     * listed too, because its total cannot be represented. Empty for a clean packet. When it is not
     * empty, the caller should count the packet as malformed and drop it (much as RFC 2865 s5
     * discards a reply with an attribute of invalid length) rather than record a session with a
     * hole in it.
     */
    public List<String> malformedAttributes() {
        return Collections.unmodifiableList(malformed);
    }

    /**
     * The text attributes holding a NUL before their end, in type order. Such a packet must be
     * refused, not stored: PostgreSQL text cannot hold NUL, and leaving it out would change the
     * value (two Acct-Session-Ids differing only by it would become one session). A run of NULs at
     * the end is a C string's terminator, which some NASes send: it is not part of the value, and
     * not counted here.
     */
    public List<String> attributesWithNul() {
        return Collections.unmodifiableList(withNul);
    }

    /** Identifier, status type and malformed names only: the other values hold personal data. */
    @Override
    public String toString() {
        return "AccountingRequest[identifier="
                + packet.identifier()
                + ", acctStatusType="
                + acctStatusType
                + ", malformedAttributes="
                + malformed
                + "]";
    }

    private byte[] first(int type) {
        return packet.attribute(type).map(RadiusAttribute::valueUnsafe).orElse(null);
    }

    private String text(int type, String name) {
        byte[] value = first(type);
        if (value == null) {
            return null;
        }
        // Some NASes end text with NUL, as a C string: that terminator is not part of the value.
        int length = value.length;
        while (length > 0 && value[length - 1] == 0) {
            length--;
        }
        for (int i = 0; i < length; i++) {
            if (value[i] == 0) {
                // PostgreSQL text cannot hold it, and leaving it out would make "a\0b" and "ab" one
                // session.
                withNul.add(name);
                break;
            }
        }
        // Invalid UTF-8 is replaced, never thrown.
        return new String(value, 0, length, StandardCharsets.UTF_8);
    }

    private Long integer(int type, String name) {
        byte[] value = first(type);
        if (value == null) {
            return null;
        }
        if (value.length != 4) {
            malformed.add(name);
            return null;
        }
        return ((long) (value[0] & 0xff) << 24)
                | ((value[1] & 0xff) << 16)
                | ((value[2] & 0xff) << 8)
                | (value[3] & 0xff);
    }

    private Long gigawords(int type, String name) {
        Long gigawords = integer(type, name);
        if (gigawords != null && gigawords > MAX_GIGAWORDS) {
            malformed.add(name);
        }
        return gigawords;
    }

    private Long total(Long octets, Long gigawords, int gigawordsType) {
        if (octets == null) {
            return null;
        }
        if (gigawords == null) {
            return first(gigawordsType) == null
                    ? octets
                    : null; // absent means no wraps; malformed means unknown
        }
        return gigawords > MAX_GIGAWORDS ? null : (gigawords << 32) + octets;
    }

    private Inet4Address ipv4(int type, String name) {
        byte[] value = first(type);
        if (value == null) {
            return null;
        }
        if (value.length == 4) {
            try {
                return (Inet4Address)
                        InetAddress.getByAddress(value); // four octets: no lookup, always IPv4
            } catch (UnknownHostException impossible) {
                // only thrown for a wrong length; counted as malformed below
            }
        }
        malformed.add(name);
        return null;
    }

    private Inet6Address ipv6(int type, String name) {
        byte[] value = first(type);
        if (value == null) {
            return null;
        }
        if (value.length == 16) {
            try {
                // Not InetAddress.getByAddress: it turns an IPv4-mapped address into an
                // Inet4Address.
                return Inet6Address.getByAddress(null, value, -1);
            } catch (UnknownHostException impossible) {
                // only thrown for a wrong length; counted as malformed below
            }
        }
        malformed.add(name);
        return null;
    }

    private String interfaceId(int type, String name) {
        byte[] value = first(type);
        if (value == null) {
            return null;
        }
        if (value.length != 8) {
            malformed.add(name);
            return null;
        }
        String hex = HexFormat.of().formatHex(value);
        return hex.substring(0, 4)
                + ":"
                + hex.substring(4, 8)
                + ":"
                + hex.substring(8, 12)
                + ":"
                + hex.substring(12);
    }

    /**
     * RFC 3162 s2.3 (and RFC 4818 s3, which reuses it): Reserved, Prefix-Length (0 to 128), then as
     * many Prefix octets as the length needs, up to 16. Octets left out are zero; host bits that
     * are sent are kept as sent.
     */
    private Ipv6Prefix ipv6Prefix(int type, String name) {
        byte[] value = first(type);
        if (value == null) {
            return null;
        }
        int length = value.length >= 2 ? value[1] & 0xff : -1;
        if (value.length < 2
                || value.length > 18
                || length > 128
                || value.length - 2 < (length + 7) / 8) {
            malformed.add(name);
            return null;
        }
        byte[] address = new byte[16];
        System.arraycopy(value, 2, address, 0, value.length - 2);
        try {
            return new Ipv6Prefix(Inet6Address.getByAddress(null, address, -1), length);
        } catch (UnknownHostException impossible) {
            malformed.add(name);
            return null;
        }
    }

    private AccessPoint accessPoint(String calledStationId) {
        Map<VendorDictionary.Field, String> found = new EnumMap<>(VendorDictionary.Field.class);
        for (RadiusAttribute attribute : packet.attributes()) {
            if (attribute.type() == VENDOR_SPECIFIC) {
                vendorSpecific(attribute.valueUnsafe(), found);
            }
        }
        if (calledStationId != null) {
            calledStation(calledStationId, found);
        }
        return new AccessPoint(
                found.get(VendorDictionary.Field.SSID),
                found.get(VendorDictionary.Field.AP_MAC),
                found.get(VendorDictionary.Field.AP_NAME),
                found.get(VendorDictionary.Field.AP_GROUP),
                found.get(VendorDictionary.Field.AP_LOCATION_ID));
    }

    /**
     * RFC 2865 s5.26: Vendor-Id (4 octets, the high one zero), then, in the format it recommends
     * and every vendor of {@link VendorDictionary} follows, sub-attributes of Vendor-Type (1),
     * Vendor-Length (1, including these two) and value. A vendor Captiva does not know is skipped
     * unread, whatever its format.
     */
    private void vendorSpecific(byte[] value, Map<VendorDictionary.Field, String> found) {
        if (value.length < 4 || value[0] != 0) {
            return; // no Vendor-Id, or not an SMI code: nobody's attribute Captiva could know
        }
        int vendorId = ((value[1] & 0xff) << 16) | ((value[2] & 0xff) << 8) | (value[3] & 0xff);
        if (!known(vendorId)) {
            return;
        }
        // Check the whole framing first: if any sub-attribute is inconsistent, none of them can be
        // trusted.
        for (int at = 4; at < value.length; ) {
            int subLength = value.length - at >= 2 ? value[at + 1] & 0xff : -1;
            if (subLength < 2 || at + subLength > value.length) {
                invalidVendor.add(
                        "Vendor-Specific "
                                + vendorId
                                + ": sub-attribute at octet "
                                + at
                                + " does not fit in the "
                                + value.length
                                + " octets of its attribute");
                return;
            }
            at += subLength;
        }
        for (int at = 4; at < value.length; at += value[at + 1] & 0xff) {
            int vendorType = value[at] & 0xff;
            int from = at + 2;
            int to = at + (value[at + 1] & 0xff);
            VendorDictionary.find(vendorId, vendorType)
                    .ifPresent(
                            entry ->
                                    vendorValue(
                                            entry,
                                            java.util.Arrays.copyOfRange(value, from, to),
                                            found));
        }
    }

    private static boolean known(int vendorId) {
        return vendorId == VendorDictionary.CISCO
                || vendorId == VendorDictionary.WISPR
                || vendorId == VendorDictionary.CHILLISPOT
                || vendorId == VendorDictionary.ARUBA
                || vendorId == VendorDictionary.MIKROTIK
                || vendorId == VendorDictionary.RUCKUS
                || vendorId == VendorDictionary.UBIQUITI;
    }

    private void vendorValue(
            VendorDictionary.Entry entry, byte[] value, Map<VendorDictionary.Field, String> found) {
        switch (entry.encoding()) {
            case MAC_OCTETS -> {
                if (value.length != 6) {
                    invalidVendor.add(
                            entry.name() + ": " + value.length + " octets, not a MAC address");
                    return;
                }
                String hex = HexFormat.ofDelimiter(":").formatHex(value);
                found.putIfAbsent(entry.field(), hex);
            }
            case TEXT ->
                    vendorText(entry, value)
                            .ifPresent(text -> found.putIfAbsent(entry.field(), text));
            case AV_PAIR ->
                    vendorText(entry, value)
                            .ifPresent(
                                    pair -> {
                                        int separator = firstOf(pair, '=', '*');
                                        if (separator > 0) {
                                            VendorDictionary.ciscoKey(pair.substring(0, separator))
                                                    .ifPresent(
                                                            field -> {
                                                                String text =
                                                                        pair.substring(
                                                                                separator + 1);
                                                                if (!text.isEmpty()) {
                                                                    found.putIfAbsent(field, text);
                                                                }
                                                            });
                                        }
                                    });
        }
    }

    /**
     * Vendor text as {@link #text} reads text, but a NUL inside makes only this attribute invalid:
     * the value is optional, so the packet is kept and the value left out rather than stored
     * changed. Empty means not sent.
     */
    private Optional<String> vendorText(VendorDictionary.Entry entry, byte[] value) {
        int length = value.length;
        while (length > 0 && value[length - 1] == 0) {
            length--;
        }
        for (int i = 0; i < length; i++) {
            if (value[i] == 0) {
                invalidVendor.add(entry.name() + ": NUL inside its text");
                return Optional.empty();
            }
        }
        return length == 0
                ? Optional.empty()
                : Optional.of(new String(value, 0, length, StandardCharsets.UTF_8));
    }

    private static int firstOf(String text, char a, char b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    /**
     * {@code AP-MAC} or {@code AP-MAC:SSID}; anything else (a hotspot's name, an IP address) says
     * neither.
     */
    private static void calledStation(
            String calledStationId, Map<VendorDictionary.Field, String> found) {
        for (int macLength : new int[] {17, 14, 12}) {
            if (calledStationId.length() < macLength) {
                continue;
            }
            Optional<String> mac = MacAddress.parse(calledStationId.substring(0, macLength));
            if (mac.isEmpty()) {
                continue;
            }
            if (calledStationId.length() == macLength) {
                found.putIfAbsent(VendorDictionary.Field.AP_MAC, mac.get());
                return;
            }
            if (calledStationId.charAt(macLength) == ':') {
                found.putIfAbsent(VendorDictionary.Field.AP_MAC, mac.get());
                String ssid = calledStationId.substring(macLength + 1);
                if (!ssid.isEmpty()) {
                    found.putIfAbsent(VendorDictionary.Field.SSID, ssid);
                }
                return;
            }
        }
    }

    private static String terminateCauseName(long value) {
        return value >= 1 && value <= TERMINATE_CAUSES.size()
                ? TERMINATE_CAUSES.get((int) value - 1)
                : Long.toString(value);
    }

    private static OptionalLong optional(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
