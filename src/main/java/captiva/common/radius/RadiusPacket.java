package captiva.common.radius;

import static captiva.common.radius.AttributeTypes.MESSAGE_AUTHENTICATOR;
import static captiva.common.radius.AttributeTypes.PROXY_STATE;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One RADIUS packet (RFC 2865 s3) as received: Code, Identifier, Authenticator and the attributes
 * in wire order, plus the raw octets up to its Length field, which the authenticator checks need.
 *
 * <p>A listener decodes each datagram, checks it with {@link #isAuthentic(byte[])}, answers a
 * Status-Server at once and reads an Accounting-Request through {@link #asAccountingRequest()};
 * {@link #accountingResponse(byte[])} builds the answer. Instances are immutable.
 */
public final class RadiusPacket {

    /** Code of an Accounting-Request (RFC 2866 s4.1). */
    public static final int ACCOUNTING_REQUEST = 4;

    /** Code of an Accounting-Response (RFC 2866 s4.2). */
    public static final int ACCOUNTING_RESPONSE = 5;

    /**
     * Code of a Status-Server (RFC 5997 s3), which an accounting server answers with an
     * Accounting-Response.
     */
    public static final int STATUS_SERVER = 12;

    /**
     * Codes of Dynamic Authorization (RFC 5176 s2): the requests a NAS's DAS takes, and its
     * answers.
     */
    public static final int DISCONNECT_REQUEST = 40;

    public static final int DISCONNECT_ACK = 41;
    public static final int DISCONNECT_NAK = 42;
    public static final int COA_REQUEST = 43;
    public static final int COA_ACK = 44;
    public static final int COA_NAK = 45;

    public static final int HEADER_LENGTH = 20;

    /** RFC 2865 s3 (RFC 2866 s3 says 4095; 4096 is the larger and what servers accept). */
    public static final int MAX_LENGTH = 4096;

    private static final int ATTRIBUTE_HEADER_LENGTH = 2;
    private static final int MESSAGE_AUTHENTICATOR_LENGTH =
            ATTRIBUTE_HEADER_LENGTH + Authenticators.LENGTH;

    private final byte[] bytes;
    private final List<RadiusAttribute> attributes;

    private RadiusPacket(byte[] bytes, List<RadiusAttribute> attributes) {
        this.bytes = bytes;
        this.attributes = attributes;
    }

    /**
     * Reads the packet at the start of a datagram. Octets past the packet's Length field are
     * padding and ignored (RFC 2865 s3), which is also how one packet is taken off the front of a
     * RadSec stream.
     *
     * @param datagram the receive buffer, e.g. {@code DatagramPacket.getData()}
     * @param length how many octets of it arrived, e.g. {@code DatagramPacket.getLength()}
     * @throws RadiusCodecException when the octets are not a RADIUS packet, and for no other
     *     reason: whatever the input, nothing else is thrown
     */
    public static RadiusPacket decode(byte[] datagram, int length) throws RadiusCodecException {
        if (datagram == null) {
            throw new RadiusCodecException("no datagram");
        }
        if (length < 0 || length > datagram.length) {
            throw new RadiusCodecException(
                    "datagram length "
                            + length
                            + " is outside its buffer of "
                            + datagram.length
                            + " octets");
        }
        if (length < HEADER_LENGTH) {
            throw new RadiusCodecException(
                    "datagram of " + length + " octets is shorter than the 20-octet header");
        }
        int declared = unsigned16(datagram, 2);
        if (declared < HEADER_LENGTH) {
            throw new RadiusCodecException(
                    "Length field " + declared + " is below the minimum of 20");
        }
        if (declared > MAX_LENGTH) {
            throw new RadiusCodecException(
                    "Length field " + declared + " is above the maximum of 4096");
        }
        if (declared > length) {
            throw new RadiusCodecException(
                    "Length field "
                            + declared
                            + " is more than the "
                            + length
                            + " octets received");
        }
        byte[] bytes = Arrays.copyOf(datagram, declared);
        return new RadiusPacket(bytes, attributes(bytes));
    }

    private static List<RadiusAttribute> attributes(byte[] bytes) throws RadiusCodecException {
        List<RadiusAttribute> attributes = new ArrayList<>();
        int at = HEADER_LENGTH;
        while (at < bytes.length) {
            int left = bytes.length - at;
            if (left < ATTRIBUTE_HEADER_LENGTH) {
                throw new RadiusCodecException(
                        "attribute at octet " + at + " has no room for its Type and Length");
            }
            int type = bytes[at] & 0xff;
            int attributeLength = bytes[at + 1] & 0xff;
            if (attributeLength < ATTRIBUTE_HEADER_LENGTH) {
                throw new RadiusCodecException(
                        "attribute "
                                + type
                                + " at octet "
                                + at
                                + " has Length "
                                + attributeLength
                                + ", below the minimum of 2");
            }
            if (attributeLength > left) {
                throw new RadiusCodecException(
                        "attribute "
                                + type
                                + " at octet "
                                + at
                                + " has Length "
                                + attributeLength
                                + " but only "
                                + left
                                + " octets are left in the packet");
            }
            attributes.add(
                    new RadiusAttribute(
                            type,
                            Arrays.copyOfRange(
                                    bytes, at + ATTRIBUTE_HEADER_LENGTH, at + attributeLength)));
            at += attributeLength;
        }
        return List.copyOf(attributes);
    }

    /**
     * The Code octet, 0 to 255; compare with {@link #ACCOUNTING_REQUEST} and {@link
     * #STATUS_SERVER}.
     */
    public int code() {
        return bytes[0] & 0xff;
    }

    /**
     * The Identifier octet, 0 to 255, which the response repeats and which helps spot
     * retransmissions.
     */
    public int identifier() {
        return bytes[1] & 0xff;
    }

    /** The Length field: the packet's size in octets, 20 to 4096. */
    public int length() {
        return bytes.length;
    }

    /** A copy of the 16-octet Authenticator field as received. */
    public byte[] authenticator() {
        return Arrays.copyOfRange(
                bytes, Authenticators.OFFSET, Authenticators.OFFSET + Authenticators.LENGTH);
    }

    /** All attributes in wire order, repeats included. */
    public List<RadiusAttribute> attributes() {
        return attributes;
    }

    /** The first attribute of this Type, or empty when the packet has none. */
    public Optional<RadiusAttribute> attribute(int type) {
        for (RadiusAttribute attribute : attributes) {
            if (attribute.type() == type) {
                return Optional.of(attribute);
            }
        }
        return Optional.empty();
    }

    /** A copy of the packet's octets, exactly {@link #length()} of them. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * What the authenticators of the packet say about its sender, checked with the sender's shared
     * secret. {@link #UNSIGNED} and {@link #SIGNED} are authentic; the two others mean drop it and
     * count it.
     */
    public enum Authenticity {
        /**
         * An Accounting-Request whose Request Authenticator matches and which carries no
         * Message-Authenticator.
         */
        UNSIGNED,
        /**
         * Its Message-Authenticator matches too (for a Status-Server, which has no Request
         * Authenticator, only it).
         */
        SIGNED,
        /**
         * The Request Authenticator does not match, or the Code does not belong on an accounting
         * port.
         */
        BAD_AUTHENTICATOR,
        /**
         * A Message-Authenticator that does not match, is not 16 octets, or comes twice; or a
         * Status-Server without one.
         */
        BAD_MESSAGE_AUTHENTICATOR;

        public boolean authentic() {
            return this == UNSIGNED || this == SIGNED;
        }
    }

    /**
     * Whether the packet was sent by someone holding this shared secret. False means drop it and
     * count it; see {@link #authenticity(byte[])} for why.
     *
     * @throws IllegalArgumentException when the secret is null or empty, which is a configuration
     *     mistake
     */
    public boolean isAuthentic(byte[] secret) {
        return authenticity(secret).authentic();
    }

    /**
     * Checks the packet's authenticators with the shared secret.
     *
     * <ul>
     *   <li>Accounting-Request: the Request Authenticator must equal MD5(Code + Identifier + Length
     *       + 16 zero octets + Attributes + Secret) (RFC 2866 s3). A Message-Authenticator, when
     *       present, must be right as well: HMAC-MD5 keyed by the secret over the packet with its
     *       Authenticator field and the Message-Authenticator value zeroed (RFC 3579 s3.2 as
     *       FreeRADIUS and radclient apply it to accounting; RFC 5176 s3.1 spells out the same rule
     *       for CoA). The Request Authenticator covers it already, but BlastRADIUS (CVE-2024-3596)
     *       taught operators to require it, and a wrong one is a sender that does not hold the
     *       secret or a packet altered on the way.
     *   <li>Status-Server: exactly one Message-Authenticator (RFC 5997 s3 requires it), equal to
     *       HMAC-MD5 keyed by the secret over the packet with that value zeroed (RFC 3579 s3.2).
     *       Its Request Authenticator is random.
     *   <li>Any other Code: {@link Authenticity#BAD_AUTHENTICATOR}, since nothing else belongs on
     *       an accounting port.
     * </ul>
     *
     * Comparisons take the same time however many octets match, so timing tells an attacker
     * nothing.
     *
     * @throws IllegalArgumentException when the secret is null or empty, which is a configuration
     *     mistake
     */
    public Authenticity authenticity(byte[] secret) {
        Authenticators.requireSecret(secret);
        return switch (code()) {
            case ACCOUNTING_REQUEST -> {
                if (!MessageDigest.isEqual(
                        Authenticators.accountingRequest(bytes, secret), authenticator())) {
                    yield Authenticity.BAD_AUTHENTICATOR;
                }
                yield messageAuthenticator(secret, true);
            }
            case STATUS_SERVER -> {
                Authenticity checked = messageAuthenticator(secret, false);
                yield checked == Authenticity.UNSIGNED
                        ? Authenticity.BAD_MESSAGE_AUTHENTICATOR
                        : checked;
            }
            default -> Authenticity.BAD_AUTHENTICATOR;
        };
    }

    /** Whether the packet carries a Message-Authenticator attribute (80), right or wrong. */
    public boolean hasMessageAuthenticator() {
        return attribute(MESSAGE_AUTHENTICATOR).isPresent();
    }

    /**
     * UNSIGNED when there is no Message-Authenticator, SIGNED when there is exactly one and it is
     * right.
     *
     * @param zeroRequestAuthenticator whether the HMAC is taken with the Authenticator field zeroed
     *     (an Accounting-Request, whose Request Authenticator is itself a digest) or as sent (a
     *     Status-Server's random one)
     */
    private Authenticity messageAuthenticator(byte[] secret, boolean zeroRequestAuthenticator) {
        int valueOffset = -1;
        int at = HEADER_LENGTH;
        while (at < bytes.length) { // the structure was checked by decode
            int attributeLength = bytes[at + 1] & 0xff;
            if ((bytes[at] & 0xff) == MESSAGE_AUTHENTICATOR) {
                if (valueOffset >= 0 || attributeLength != MESSAGE_AUTHENTICATOR_LENGTH) {
                    // a second copy, or one that cannot be an HMAC-MD5: no telling which to trust
                    return Authenticity.BAD_MESSAGE_AUTHENTICATOR;
                }
                valueOffset = at + ATTRIBUTE_HEADER_LENGTH;
            }
            at += attributeLength;
        }
        if (valueOffset < 0) {
            return Authenticity.UNSIGNED;
        }
        byte[] zeroed = bytes.clone();
        Arrays.fill(zeroed, valueOffset, valueOffset + Authenticators.LENGTH, (byte) 0);
        if (zeroRequestAuthenticator) {
            Arrays.fill(
                    zeroed,
                    Authenticators.OFFSET,
                    Authenticators.OFFSET + Authenticators.LENGTH,
                    (byte) 0);
        }
        byte[] received =
                Arrays.copyOfRange(bytes, valueOffset, valueOffset + Authenticators.LENGTH);
        return MessageDigest.isEqual(Authenticators.messageAuthenticator(zeroed, secret), received)
                ? Authenticity.SIGNED
                : Authenticity.BAD_MESSAGE_AUTHENTICATOR;
    }

    /**
     * The Accounting-Response datagram that answers this packet: Code 5, the same Identifier, and
     * the Response Authenticator MD5(Code + Identifier + Length + Request Authenticator +
     * Attributes + Secret) (RFC 2866 s3).
     *
     * <ul>
     *   <li>For an Accounting-Request it has no attributes (Length 20) unless the request carried
     *       Proxy-State, which is copied back unchanged and in order so that a proxy between the
     *       NAS and us can match the answer (RFC 2865 s5.33; RFC 2866 s5.13 allows it in
     *       responses). Send it only once the request is stored: the NAS retransmits until it gets
     *       one.
     *   <li>When the request carried a Message-Authenticator, the response carries one too, so that
     *       a NAS that requires it on answers (BlastRADIUS hardening) accepts ours. Like the
     *       request's, it is taken with the Authenticator field zeroed: that is how FreeRADIUS
     *       signs and checks an Accounting-Response (radclient refuses one taken with the Request
     *       Authenticator in place).
     *   <li>For a Status-Server (RFC 5997 answers one sent to an accounting port with an
     *       Accounting-Response) it always carries a Message-Authenticator, computed over the
     *       response with the Request Authenticator in place (RFC 3579 s3.2). RFC 5997's example
     *       answer (s6) has none, so it is optional there; it is included because some probing
     *       clients discard answers to Status-Server without one (FreeRADIUS issue #506), while a
     *       client that does not look for it ignores it.
     * </ul>
     *
     * Call it only for a packet that {@link #isAuthentic(byte[])} with the same secret.
     *
     * @throws IllegalStateException when this is neither an Accounting-Request nor a Status-Server
     * @throws IllegalArgumentException when the secret is null or empty
     */
    public byte[] accountingResponse(byte[] secret) {
        Authenticators.requireSecret(secret);
        if (code() != ACCOUNTING_REQUEST && code() != STATUS_SERVER) {
            throw new IllegalStateException(
                    "only an Accounting-Request or a Status-Server is answered with an "
                            + "Accounting-Response, not a packet with Code "
                            + code());
        }
        ByteArrayOutputStream response =
                new ByteArrayOutputStream(HEADER_LENGTH + MESSAGE_AUTHENTICATOR_LENGTH);
        response.write(ACCOUNTING_RESPONSE);
        response.write(identifier());
        response.write(0); // Length, filled in below
        response.write(0);
        response.write(bytes, Authenticators.OFFSET, Authenticators.LENGTH);
        for (RadiusAttribute attribute : attributes) {
            if (attribute.type() == PROXY_STATE) {
                response.write(PROXY_STATE);
                response.write(ATTRIBUTE_HEADER_LENGTH + attribute.valueLength());
                response.write(attribute.valueUnsafe(), 0, attribute.valueLength());
            }
        }
        int messageAuthenticatorOffset = -1;
        if (code() == STATUS_SERVER || hasMessageAuthenticator()) {
            messageAuthenticatorOffset = response.size() + ATTRIBUTE_HEADER_LENGTH;
            response.write(MESSAGE_AUTHENTICATOR);
            response.write(MESSAGE_AUTHENTICATOR_LENGTH);
            response.write(new byte[Authenticators.LENGTH], 0, Authenticators.LENGTH);
        }
        byte[] packet = response.toByteArray();
        packet[2] = (byte) (packet.length >>> 8);
        packet[3] = (byte) packet.length;
        if (messageAuthenticatorOffset >= 0) {
            byte[] value =
                    Authenticators.messageAuthenticator(
                            code() == STATUS_SERVER ? packet : withZeroAuthenticator(packet),
                            secret);
            System.arraycopy(value, 0, packet, messageAuthenticatorOffset, Authenticators.LENGTH);
        }
        byte[] responseAuthenticator = Authenticators.response(packet, secret);
        System.arraycopy(
                responseAuthenticator, 0, packet, Authenticators.OFFSET, Authenticators.LENGTH);
        return packet;
    }

    private static byte[] withZeroAuthenticator(byte[] packet) {
        byte[] zeroed = packet.clone();
        Arrays.fill(
                zeroed,
                Authenticators.OFFSET,
                Authenticators.OFFSET + Authenticators.LENGTH,
                (byte) 0);
        return zeroed;
    }

    /**
     * Whether this packet is the answer of a DAS (or any RADIUS server) holding the secret to
     * {@code request}: the same Identifier, a Response Authenticator equal to MD5(Code + Identifier
     * + Length + Request Authenticator + Attributes + Secret) (RFC 2865 s3, RFC 5176 s3.1), and a
     * right Message-Authenticator when it carries one. Implementations differ on the Authenticator
     * field under that HMAC (FreeRADIUS zeroes it for Disconnect and CoA answers, RFC 3579 s3.2
     * puts the Request Authenticator there); either is accepted, since the MD5 already covers the
     * whole answer.
     *
     * @throws IllegalArgumentException when the secret is null or empty
     */
    public boolean answers(byte[] request, byte[] secret) {
        Authenticators.requireSecret(secret);
        if (request.length < HEADER_LENGTH || (request[1] & 0xff) != identifier()) {
            return false;
        }
        byte[] withRequestAuthenticator = bytes.clone();
        System.arraycopy(
                request,
                Authenticators.OFFSET,
                withRequestAuthenticator,
                Authenticators.OFFSET,
                Authenticators.LENGTH);
        if (!MessageDigest.isEqual(
                Authenticators.response(withRequestAuthenticator, secret), authenticator())) {
            return false;
        }
        int valueOffset = -1;
        for (int at = HEADER_LENGTH; at < bytes.length; at += bytes[at + 1] & 0xff) {
            if ((bytes[at] & 0xff) == MESSAGE_AUTHENTICATOR) {
                if (valueOffset >= 0 || (bytes[at + 1] & 0xff) != MESSAGE_AUTHENTICATOR_LENGTH) {
                    return false;
                }
                valueOffset = at + ATTRIBUTE_HEADER_LENGTH;
            }
        }
        if (valueOffset < 0) {
            return true;
        }
        byte[] received =
                Arrays.copyOfRange(bytes, valueOffset, valueOffset + Authenticators.LENGTH);
        Arrays.fill(
                withRequestAuthenticator,
                valueOffset,
                valueOffset + Authenticators.LENGTH,
                (byte) 0);
        return MessageDigest.isEqual(
                        Authenticators.messageAuthenticator(withRequestAuthenticator, secret),
                        received)
                || MessageDigest.isEqual(
                        Authenticators.messageAuthenticator(
                                withZeroAuthenticator(withRequestAuthenticator), secret),
                        received);
    }

    /**
     * This packet read as an Accounting-Request, or empty when its Code is not 4 (a Status-Server,
     * or something that does not belong on an accounting port). Reading never fails; see {@link
     * AccountingRequest#malformedAttributes()}.
     */
    public Optional<AccountingRequest> asAccountingRequest() {
        return code() == ACCOUNTING_REQUEST
                ? Optional.of(new AccountingRequest(this))
                : Optional.empty();
    }

    /** Header fields and attribute count only: attribute values hold personal data. */
    @Override
    public String toString() {
        return "RadiusPacket[code="
                + code()
                + ", identifier="
                + identifier()
                + ", length="
                + length()
                + ", attributes="
                + attributes.size()
                + "]";
    }

    private static int unsigned16(byte[] octets, int at) {
        return ((octets[at] & 0xff) << 8) | (octets[at + 1] & 0xff);
    }
}
