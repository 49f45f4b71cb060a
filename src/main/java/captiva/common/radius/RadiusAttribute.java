package captiva.common.radius;

import java.util.Arrays;

/**
 * One attribute as it was on the wire (RFC 2865 s5): its Type and its Value octets. Values are not
 * interpreted here; {@link AccountingRequest} reads the few that Captiva records. A Vendor-Specific
 * (26) value is kept whole, Vendor-Id first: {@link AccountingRequest} reads the vendor attributes
 * of {@link VendorDictionary} out of it, and only there.
 */
public final class RadiusAttribute {

    private final int type;
    private final byte[] value;

    /** Takes ownership of {@code value}: callers pass a fresh array. */
    RadiusAttribute(int type, byte[] value) {
        this.type = type;
        this.value = value;
    }

    /** The Type octet, 0 to 255. */
    public int type() {
        return type;
    }

    /**
     * A copy of the Value octets (the attribute without its Type and Length octets); may be empty.
     */
    public byte[] value() {
        return value.clone();
    }

    /** The number of Value octets, 0 to 253. */
    public int valueLength() {
        return value.length;
    }

    /** The Value without a copy, for readers in this package that promise not to change it. */
    byte[] valueUnsafe() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RadiusAttribute that
                && type == that.type
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    /** Type and size only: values hold user names and addresses, which do not belong in logs. */
    @Override
    public String toString() {
        return "RadiusAttribute[type=" + type + ", " + value.length + " octets]";
    }
}
