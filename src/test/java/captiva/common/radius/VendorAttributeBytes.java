package captiva.common.radius;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Vendor-Specific attribute values written byte by byte, independently of the codec under test. */
public final class VendorAttributeBytes {

    private VendorAttributeBytes() {}

    /** A Vendor-Specific value: Vendor-Id, then the vendor's octets as given. */
    public static byte[] vsa(int vendorId, byte[] vendorOctets) {
        return concat(
                new byte[] {0, (byte) (vendorId >>> 16), (byte) (vendorId >>> 8), (byte) vendorId},
                vendorOctets);
    }

    /** A sub-attribute in RFC 2865 s5.26's recommended format: Vendor-Type, Vendor-Length, text. */
    public static byte[] sub(int vendorType, String text) {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) vendorType, (byte) (value.length + 2)}, value);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
