package captiva.sessions;

import captiva.common.radius.AcctStatusType;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * One accounting record of a NAS, already tied to its tenant, location and NAS: Start,
 * Interim-Update or Stop of one session (RFC 2866), or Accounting-On/Off of the whole NAS, which
 * ends all its open sessions. RADIUS packets, HTTP accounting and the demo simulator all arrive as
 * these.
 *
 * @param acctSessionId the NAS's session id; null only for Accounting-On/Off
 * @param eventTime when it happened at the NAS (Event-Timestamp minus Acct-Delay-Time)
 * @param deviceMac canonical MAC ({@code 14:2d:27:e7:40:2b}) or null
 * @param deviceIp IPv4 or IPv6 literal or null
 * @param inputOctets what the device sent, gigawords included
 * @param outputOctets what the device received, gigawords included
 * @param sessionTime Acct-Session-Time in seconds, or null when absent
 * @param attributes access point, IPv6 and identity attributes; {@link SessionAttributes#NONE} when
 *     none
 */
public record AccountingEvent(
        long tenantId,
        long locationId,
        long nasId,
        @Nullable String acctSessionId,
        Type type,
        Instant eventTime,
        @Nullable String username,
        @Nullable String deviceMac,
        @Nullable String deviceIp,
        long inputOctets,
        long outputOctets,
        @Nullable Long sessionTime,
        @Nullable String terminateCause,
        SessionAttributes attributes) {

    public AccountingEvent {
        attributes = attributes == null ? SessionAttributes.NONE : attributes;
    }

    /** An event that tells nothing beyond the counters (HTTP accounting, imports, the demo). */
    public AccountingEvent(
            long tenantId,
            long locationId,
            long nasId,
            @Nullable String acctSessionId,
            Type type,
            Instant eventTime,
            @Nullable String username,
            @Nullable String deviceMac,
            @Nullable String deviceIp,
            long inputOctets,
            long outputOctets,
            @Nullable Long sessionTime,
            @Nullable String terminateCause) {
        this(
                tenantId,
                locationId,
                nasId,
                acctSessionId,
                type,
                eventTime,
                username,
                deviceMac,
                deviceIp,
                inputOctets,
                outputOctets,
                sessionTime,
                terminateCause,
                SessionAttributes.NONE);
    }

    /**
     * What the event reports: the values of Acct-Status-Type (RFC 2866 s5.1) that Captiva acts on.
     * Their names are the codec's ({@link AcctStatusType#rfcName()}), which are also the {@code
     * acct_status_type} values of POST /ingest/accounting.
     */
    public enum Type {
        START(AcctStatusType.START),
        INTERIM_UPDATE(AcctStatusType.INTERIM_UPDATE),
        STOP(AcctStatusType.STOP),
        ACCOUNTING_ON(AcctStatusType.ACCOUNTING_ON),
        ACCOUNTING_OFF(AcctStatusType.ACCOUNTING_OFF);

        private final AcctStatusType status;

        Type(AcctStatusType status) {
            this.status = status;
        }

        /** The name in RFC 2866 and in FreeRADIUS dictionaries, e.g. {@code Interim-Update}. */
        public String rfcName() {
            return status.rfcName();
        }

        /**
         * The type of this RFC name, or empty when Captiva has no use for it (or it is no such
         * name).
         */
        public static Optional<Type> ofRfcName(@Nullable String name) {
            return Arrays.stream(values()).filter(t -> t.rfcName().equals(name)).findFirst();
        }

        /**
         * The type of an Acct-Status-Type read from a packet, or empty when Captiva has no use for
         * it.
         */
        public static Optional<Type> of(AcctStatusType status) {
            return Arrays.stream(values()).filter(t -> t.status == status).findFirst();
        }

        /** Accounting-On and -Off speak of the NAS, not of one session. */
        public boolean isNasWide() {
            return this == ACCOUNTING_ON || this == ACCOUNTING_OFF;
        }
    }

    /**
     * When the session began, as far as this record tells: Interims and Stops count back by the
     * session time.
     */
    public Instant startTime() {
        if (type == Type.START || sessionTime == null) {
            return eventTime;
        }
        return eventTime.minusSeconds(sessionTime);
    }
}
