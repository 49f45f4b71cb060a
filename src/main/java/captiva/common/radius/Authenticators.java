package captiva.common.radius;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The digests behind the RADIUS authenticators, shared by the decoder (to check) and the builder
 * (to sign), so that both sides compute them in exactly one way.
 */
public final class Authenticators {

    static final int LENGTH = 16;
    static final int OFFSET = 4;

    private static final byte[] ZEROS = new byte[LENGTH];

    private Authenticators() {}

    /**
     * RFC 2866 s3: MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret), over a
     * packet of exactly Length octets. Whatever its Authenticator field holds is left out.
     */
    public static byte[] accountingRequest(byte[] packet, byte[] secret) {
        MessageDigest md5 = md5();
        md5.update(packet, 0, OFFSET);
        md5.update(ZEROS);
        md5.update(packet, OFFSET + LENGTH, packet.length - OFFSET - LENGTH);
        md5.update(secret);
        return md5.digest();
    }

    /**
     * RFC 2865 s3 / RFC 2866 s3: MD5(Code + Identifier + Length + Request Authenticator +
     * Attributes + Secret), over a response whose Authenticator field still holds the Request
     * Authenticator.
     */
    public static byte[] response(byte[] responseWithRequestAuthenticator, byte[] secret) {
        MessageDigest md5 = md5();
        md5.update(responseWithRequestAuthenticator);
        md5.update(secret);
        return md5.digest();
    }

    /**
     * RFC 3579 s3.2: HMAC-MD5 keyed by the secret over the whole packet as it is, so the caller
     * zeroes the Message-Authenticator value first and leaves the Request Authenticator in the
     * Authenticator field.
     */
    public static byte[] messageAuthenticator(byte[] packetWithZeroedValue, byte[] secret) {
        try {
            Mac hmac = Mac.getInstance("HmacMD5");
            hmac.init(new SecretKeySpec(secret, "HmacMD5"));
            return hmac.doFinal(packetWithZeroedValue);
        } catch (GeneralSecurityException absent) {
            throw new IllegalStateException("HmacMD5 is missing from this Java runtime", absent);
        }
    }

    /**
     * Refuses what cannot be a configured shared secret. An empty secret would make every
     * authenticator forgeable, so it is a configuration mistake to report, not a packet to judge
     * (and Java refuses empty HMAC keys anyway).
     */
    public static byte[] requireSecret(byte[] secret) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("a RADIUS shared secret must not be empty");
        }
        return secret;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException absent) {
            throw new IllegalStateException("MD5 is missing from this Java runtime", absent);
        }
    }
}
