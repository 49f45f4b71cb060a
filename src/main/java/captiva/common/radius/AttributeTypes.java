package captiva.common.radius;

/** The attribute Type numbers this package reads or writes, named as in their RFCs. */
public final class AttributeTypes {

    public static final int USER_NAME = 1; // RFC 2865 s5.1, text
    public static final int NAS_IP_ADDRESS = 4; // RFC 2865 s5.4, address
    public static final int FRAMED_IP_ADDRESS = 8; // RFC 2865 s5.8, address
    public static final int CLASS = 25; // RFC 2865 s5.25, octets
    public static final int VENDOR_SPECIFIC =
            26; // RFC 2865 s5.26, Vendor-Id then vendor sub-attributes
    public static final int CALLED_STATION_ID = 30; // RFC 2865 s5.30, text
    public static final int CALLING_STATION_ID = 31; // RFC 2865 s5.31, text
    public static final int NAS_IDENTIFIER = 32; // RFC 2865 s5.32, text
    public static final int PROXY_STATE = 33; // RFC 2865 s5.33, echoed in responses
    public static final int ACCT_STATUS_TYPE = 40; // RFC 2866 s5.1, integer
    public static final int ACCT_DELAY_TIME = 41; // RFC 2866 s5.2, integer (seconds)
    public static final int ACCT_INPUT_OCTETS = 42; // RFC 2866 s5.3, integer
    public static final int ACCT_OUTPUT_OCTETS = 43; // RFC 2866 s5.4, integer
    public static final int ACCT_SESSION_ID = 44; // RFC 2866 s5.5, text
    public static final int ACCT_SESSION_TIME = 46; // RFC 2866 s5.7, integer (seconds)
    public static final int ACCT_TERMINATE_CAUSE = 49; // RFC 2866 s5.10, integer
    public static final int ACCT_MULTI_SESSION_ID = 50; // RFC 2866 s5.11, text
    public static final int ACCT_INPUT_GIGAWORDS = 52; // RFC 2869 s5.1, integer
    public static final int ACCT_OUTPUT_GIGAWORDS = 53; // RFC 2869 s5.2, integer
    public static final int EVENT_TIMESTAMP = 55; // RFC 2869 s5.3, time (Unix seconds)
    public static final int MESSAGE_AUTHENTICATOR = 80; // RFC 2869 s5.14 / RFC 3579 s3.2, 16 octets
    public static final int CHARGEABLE_USER_IDENTITY = 89; // RFC 4372 s2.1, octets
    public static final int FRAMED_INTERFACE_ID = 96; // RFC 3162 s2.2, ifid (8 octets)
    public static final int FRAMED_IPV6_PREFIX = 97; // RFC 3162 s2.3, ipv6prefix
    public static final int DELEGATED_IPV6_PREFIX = 123; // RFC 4818 s3, ipv6prefix
    public static final int FRAMED_IPV6_ADDRESS = 168; // RFC 6911 s3.1, ipv6addr

    private AttributeTypes() {}
}
