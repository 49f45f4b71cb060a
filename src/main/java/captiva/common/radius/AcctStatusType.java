package captiva.common.radius;

/** What an Accounting-Request reports (Acct-Status-Type, RFC 2866 s5.1). */
public enum AcctStatusType {

    /** A session began. */
    START(1, "Start"),
    /** A session ended; the counters and Acct-Session-Time are final. */
    STOP(2, "Stop"),
    /** A session is still running; the counters so far. */
    INTERIM_UPDATE(3, "Interim-Update"),
    /** The NAS (re)started accounting: sessions it had open before are over. */
    ACCOUNTING_ON(7, "Accounting-On"),
    /** The NAS is stopping accounting: all its sessions end now. */
    ACCOUNTING_OFF(8, "Accounting-Off"),
    /**
     * Any other value (the RFC 2867 tunnel values, Failed, vendor values): a well-formed packet
     * that Captiva has no use for, so the caller acknowledges or ignores it rather than treating it
     * as an error.
     */
    UNKNOWN(-1, "Unknown");

    private final long value;
    private final String rfcName;

    AcctStatusType(long value, String rfcName) {
        this.value = value;
        this.rfcName = rfcName;
    }

    /** The value on the wire, or -1 for {@link #UNKNOWN}. */
    public long value() {
        return value;
    }

    /** The name used in RFC 2866 and in FreeRADIUS dictionaries, e.g. {@code Interim-Update}. */
    public String rfcName() {
        return rfcName;
    }

    /** The type with this wire value, or {@link #UNKNOWN}. */
    public static AcctStatusType of(long value) {
        for (AcctStatusType type : values()) {
            if (type != UNKNOWN && type.value == value) {
                return type;
            }
        }
        return UNKNOWN;
    }
}
