package captiva.common.radius;

/**
 * Why a datagram is not a usable RADIUS packet: shorter than the header, a Length field that is out
 * of range or longer than what arrived, or an attribute whose Length is below 2 or runs past the
 * packet. RFC 2865 s3 says such packets are silently discarded, so the listener counts it, logs the
 * message at debug and sends nothing back.
 */
public final class RadiusCodecException extends Exception {

    private static final long serialVersionUID = 1L;

    RadiusCodecException(String message) {
        // No stack trace: this is an expected outcome of a bad datagram, not a bug, and a flood of
        // garbage should
        // not cost a stack walk per packet.
        super(message, null, false, false);
    }
}
