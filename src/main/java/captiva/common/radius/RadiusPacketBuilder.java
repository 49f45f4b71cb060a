package captiva.common.radius;

import static captiva.common.radius.AttributeTypes.ACCT_DELAY_TIME;
import static captiva.common.radius.AttributeTypes.ACCT_INPUT_GIGAWORDS;
import static captiva.common.radius.AttributeTypes.ACCT_INPUT_OCTETS;
import static captiva.common.radius.AttributeTypes.ACCT_OUTPUT_GIGAWORDS;
import static captiva.common.radius.AttributeTypes.ACCT_OUTPUT_OCTETS;
import static captiva.common.radius.AttributeTypes.ACCT_SESSION_ID;
import static captiva.common.radius.AttributeTypes.ACCT_SESSION_TIME;
import static captiva.common.radius.AttributeTypes.ACCT_STATUS_TYPE;
import static captiva.common.radius.AttributeTypes.ACCT_TERMINATE_CAUSE;
import static captiva.common.radius.AttributeTypes.CALLED_STATION_ID;
import static captiva.common.radius.AttributeTypes.CALLING_STATION_ID;
import static captiva.common.radius.AttributeTypes.EVENT_TIMESTAMP;
import static captiva.common.radius.AttributeTypes.FRAMED_IPV6_ADDRESS;
import static captiva.common.radius.AttributeTypes.FRAMED_IP_ADDRESS;
import static captiva.common.radius.AttributeTypes.MESSAGE_AUTHENTICATOR;
import static captiva.common.radius.AttributeTypes.NAS_IDENTIFIER;
import static captiva.common.radius.AttributeTypes.NAS_IP_ADDRESS;
import static captiva.common.radius.AttributeTypes.USER_NAME;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * Builds the datagrams a NAS sends: a signed Accounting-Request, or a Status-Server with its
 * Message-Authenticator. For tests and load generation; the server itself only decodes requests and
 * answers them. Attributes go on the wire in the order they are added, and adding one twice sends
 * it twice.
 *
 * <pre>{@code
 * byte[] datagram = RadiusPacketBuilder.accountingRequest(7)
 *         .acctStatusType(AcctStatusType.START)
 *         .acctSessionId("4fecc41e/9")
 *         .callingStationId("7c:c5:37:ff:f8:af")
 *         .build(secret);
 * }</pre>
 *
 * Values outside their RFC type's range are programming mistakes and throw {@link
 * IllegalArgumentException}.
 */
public final class RadiusPacketBuilder {

    private static final int MAX_VALUE_LENGTH = 253;
    private static final long MAX_UNSIGNED_32 = 0xFFFF_FFFFL;

    private final int code;
    private final int identifier;
    private final byte[] requestAuthenticator;
    private final ByteArrayOutputStream attributes = new ByteArrayOutputStream();
    private boolean messageAuthenticator;

    private RadiusPacketBuilder(int code, int identifier, byte[] requestAuthenticator) {
        if (identifier < 0 || identifier > 255) {
            throw new IllegalArgumentException(
                    "Identifier " + identifier + " is not an octet (0 to 255)");
        }
        this.code = code;
        this.identifier = identifier;
        this.requestAuthenticator = requestAuthenticator;
        this.messageAuthenticator = code == RadiusPacket.STATUS_SERVER;
    }

    /**
     * An Accounting-Request (RFC 2866 s4.1); its Request Authenticator is computed from the secret
     * at build time.
     */
    public static RadiusPacketBuilder accountingRequest(int identifier) {
        return new RadiusPacketBuilder(RadiusPacket.ACCOUNTING_REQUEST, identifier, null);
    }

    /**
     * A Disconnect-Request (RFC 5176 s2.1) to a NAS's DAS. Its Request Authenticator is computed as
     * an Accounting-Request's (RFC 5176 s2.3), and so is its Message-Authenticator when asked for.
     */
    public static RadiusPacketBuilder disconnectRequest(int identifier) {
        return new RadiusPacketBuilder(RadiusPacket.DISCONNECT_REQUEST, identifier, null);
    }

    /** A CoA-Request (RFC 5176 s2.2), built like a {@link #disconnectRequest(int)}. */
    public static RadiusPacketBuilder coaRequest(int identifier) {
        return new RadiusPacketBuilder(RadiusPacket.COA_REQUEST, identifier, null);
    }

    /**
     * A Status-Server (RFC 5997) whose first attribute is the Message-Authenticator it requires.
     *
     * @param requestAuthenticator 16 octets that should be unpredictable (RFC 2865 s3); passed in
     *     so that tests can fix them and real senders use a {@code SecureRandom}
     */
    public static RadiusPacketBuilder statusServer(int identifier, byte[] requestAuthenticator) {
        Objects.requireNonNull(requestAuthenticator, "requestAuthenticator");
        if (requestAuthenticator.length != Authenticators.LENGTH) {
            throw new IllegalArgumentException(
                    "a Request Authenticator is 16 octets, not " + requestAuthenticator.length);
        }
        return new RadiusPacketBuilder(
                RadiusPacket.STATUS_SERVER, identifier, requestAuthenticator.clone());
    }

    /**
     * Adds any attribute as raw octets, e.g. a Vendor-Specific value that starts with its
     * Vendor-Id. No check of the value against the Type is made, so tests can also build malformed
     * attributes.
     */
    public RadiusPacketBuilder attribute(int type, byte[] value) {
        if (type < 0 || type > 255) {
            throw new IllegalArgumentException(
                    "attribute Type " + type + " is not an octet (0 to 255)");
        }
        if (value.length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                    "attribute "
                            + type
                            + " has "
                            + value.length
                            + " octets; a value holds at most 253");
        }
        attributes.write(type);
        attributes.write(value.length + 2);
        attributes.write(value, 0, value.length);
        return this;
    }

    /**
     * Signs an Accounting-Request with a Message-Authenticator (80) too, as a BlastRADIUS-hardened
     * NAS does: it goes first, and is the HMAC-MD5 of RFC 3579 s3.2 taken with the Authenticator
     * field zeroed; the Request Authenticator is then computed over the packet with it. A
     * Status-Server always has one.
     */
    public RadiusPacketBuilder messageAuthenticator() {
        messageAuthenticator = true;
        return this;
    }

    /** User-Name (1), as UTF-8. */
    public RadiusPacketBuilder userName(String userName) {
        return text(USER_NAME, userName);
    }

    /** NAS-IP-Address (4). */
    public RadiusPacketBuilder nasIpAddress(Inet4Address address) {
        return attribute(NAS_IP_ADDRESS, address.getAddress());
    }

    /** Framed-IP-Address (8). */
    public RadiusPacketBuilder framedIpAddress(Inet4Address address) {
        return attribute(FRAMED_IP_ADDRESS, address.getAddress());
    }

    /** Called-Station-Id (30), as UTF-8. */
    public RadiusPacketBuilder calledStationId(String calledStationId) {
        return text(CALLED_STATION_ID, calledStationId);
    }

    /** Calling-Station-Id (31), as UTF-8. */
    public RadiusPacketBuilder callingStationId(String callingStationId) {
        return text(CALLING_STATION_ID, callingStationId);
    }

    /** NAS-Identifier (32), as UTF-8. */
    public RadiusPacketBuilder nasIdentifier(String nasIdentifier) {
        return text(NAS_IDENTIFIER, nasIdentifier);
    }

    /** Acct-Status-Type (40); {@link AcctStatusType#UNKNOWN} has no wire value and is refused. */
    public RadiusPacketBuilder acctStatusType(AcctStatusType type) {
        if (type == AcctStatusType.UNKNOWN) {
            throw new IllegalArgumentException(
                    "UNKNOWN has no wire value; use attribute(40, ...) for others");
        }
        return integer(ACCT_STATUS_TYPE, type.value());
    }

    /** Acct-Delay-Time (41), in seconds. */
    public RadiusPacketBuilder acctDelayTime(long seconds) {
        return integer(ACCT_DELAY_TIME, seconds);
    }

    /**
     * Acct-Input-Octets (42), 0 to 2^32 - 1; {@link #inputOctets(long)} also sets the gigawords.
     */
    public RadiusPacketBuilder acctInputOctets(long octets) {
        return integer(ACCT_INPUT_OCTETS, octets);
    }

    /**
     * Acct-Output-Octets (43), 0 to 2^32 - 1; {@link #outputOctets(long)} also sets the gigawords.
     */
    public RadiusPacketBuilder acctOutputOctets(long octets) {
        return integer(ACCT_OUTPUT_OCTETS, octets);
    }

    /** Acct-Session-Id (44), as UTF-8. */
    public RadiusPacketBuilder acctSessionId(String acctSessionId) {
        return text(ACCT_SESSION_ID, acctSessionId);
    }

    /** Acct-Session-Time (46), in seconds. */
    public RadiusPacketBuilder acctSessionTime(long seconds) {
        return integer(ACCT_SESSION_TIME, seconds);
    }

    /** Acct-Terminate-Cause (49) by its RFC 2866 number, e.g. 1 for User-Request. */
    public RadiusPacketBuilder acctTerminateCause(long cause) {
        return integer(ACCT_TERMINATE_CAUSE, cause);
    }

    /** Acct-Input-Gigawords (52). */
    public RadiusPacketBuilder acctInputGigawords(long gigawords) {
        return integer(ACCT_INPUT_GIGAWORDS, gigawords);
    }

    /** Acct-Output-Gigawords (53). */
    public RadiusPacketBuilder acctOutputGigawords(long gigawords) {
        return integer(ACCT_OUTPUT_GIGAWORDS, gigawords);
    }

    /**
     * Acct-Input-Octets and Acct-Input-Gigawords that together make this many octets, as a NAS
     * splits them.
     */
    public RadiusPacketBuilder inputOctets(long octets) {
        requireTotal(octets);
        return acctInputOctets(octets & MAX_UNSIGNED_32).acctInputGigawords(octets >>> 32);
    }

    /**
     * Acct-Output-Octets and Acct-Output-Gigawords that together make this many octets, as a NAS
     * splits them.
     */
    public RadiusPacketBuilder outputOctets(long octets) {
        requireTotal(octets);
        return acctOutputOctets(octets & MAX_UNSIGNED_32).acctOutputGigawords(octets >>> 32);
    }

    /** Event-Timestamp (55), in whole seconds; the fraction is dropped. */
    public RadiusPacketBuilder eventTimestamp(Instant timestamp) {
        return integer(EVENT_TIMESTAMP, timestamp.getEpochSecond());
    }

    /** Framed-IPv6-Address (168, RFC 6911). */
    public RadiusPacketBuilder framedIpv6Address(Inet6Address address) {
        return attribute(FRAMED_IPV6_ADDRESS, address.getAddress());
    }

    /**
     * The datagram, signed with the shared secret: for an Accounting-Request the Request
     * Authenticator of RFC 2866 s3 (and the Message-Authenticator when asked for), for a
     * Status-Server the Message-Authenticator of RFC 3579 s3.2. The builder can build again
     * afterwards.
     *
     * @throws IllegalStateException when the attributes make the packet longer than 4096 octets
     * @throws IllegalArgumentException when the secret is null or empty
     */
    public byte[] build(byte[] secret) {
        Authenticators.requireSecret(secret);
        boolean statusServer = code == RadiusPacket.STATUS_SERVER;
        int messageAuthenticatorLength = messageAuthenticator ? 2 + Authenticators.LENGTH : 0;
        int length = RadiusPacket.HEADER_LENGTH + messageAuthenticatorLength + attributes.size();
        if (length > RadiusPacket.MAX_LENGTH) {
            throw new IllegalStateException(
                    "the packet would be " + length + " octets; RADIUS allows 4096");
        }
        byte[] packet = new byte[length];
        packet[0] = (byte) code;
        packet[1] = (byte) identifier;
        packet[2] = (byte) (length >>> 8);
        packet[3] = (byte) length;
        int at = RadiusPacket.HEADER_LENGTH;
        if (statusServer) {
            System.arraycopy(
                    requestAuthenticator, 0, packet, Authenticators.OFFSET, Authenticators.LENGTH);
        }
        if (messageAuthenticator) {
            packet[at] = (byte) MESSAGE_AUTHENTICATOR;
            packet[at + 1] = (byte) messageAuthenticatorLength;
            at += messageAuthenticatorLength; // value stays zero until the HMAC is known
        }
        System.arraycopy(attributes.toByteArray(), 0, packet, at, attributes.size());
        if (messageAuthenticator) {
            // An Accounting-Request's Authenticator field is still zero here, as the HMAC wants it.
            byte[] value = Authenticators.messageAuthenticator(packet, secret);
            System.arraycopy(
                    value, 0, packet, RadiusPacket.HEADER_LENGTH + 2, Authenticators.LENGTH);
        }
        if (!statusServer) {
            byte[] authenticator = Authenticators.accountingRequest(packet, secret);
            System.arraycopy(
                    authenticator, 0, packet, Authenticators.OFFSET, Authenticators.LENGTH);
        }
        return packet;
    }

    private RadiusPacketBuilder text(int type, String text) {
        return attribute(type, text.getBytes(StandardCharsets.UTF_8));
    }

    private RadiusPacketBuilder integer(int type, long value) {
        if (value < 0 || value > MAX_UNSIGNED_32) {
            throw new IllegalArgumentException(
                    "attribute "
                            + type
                            + " is a 32-bit unsigned integer; "
                            + value
                            + " is outside 0 to 4294967295");
        }
        return attribute(
                type,
                new byte[] {
                    (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
                });
    }

    private static void requireTotal(long octets) {
        if (octets < 0) {
            throw new IllegalArgumentException("an octet count cannot be negative: " + octets);
        }
    }
}
