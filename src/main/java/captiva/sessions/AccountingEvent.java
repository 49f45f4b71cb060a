package captiva.sessions;

import io.micronaut.core.annotation.Nullable;

import java.time.Instant;

/**
 * One accounting record (RFC 2866 Start, Interim-Update or Stop) of a NAS session, already tied to
 * its tenant, location and NAS. RADIUS packets and the demo simulator both arrive as these.
 *
 * @param eventTime     when it happened at the NAS (Event-Timestamp minus Acct-Delay-Time)
 * @param deviceMac     canonical MAC ({@code 14:2d:27:e7:40:2b}) or null
 * @param deviceIp      IPv4 or IPv6 literal or null
 * @param inputOctets   what the device sent, gigawords included
 * @param outputOctets  what the device received, gigawords included
 * @param sessionTime   Acct-Session-Time in seconds, or null when absent
 */
public record AccountingEvent(long tenantId, long locationId, long nasId, String acctSessionId, Type type,
                              Instant eventTime, @Nullable String username, @Nullable String deviceMac,
                              @Nullable String deviceIp, long inputOctets, long outputOctets,
                              @Nullable Long sessionTime, @Nullable String terminateCause) {

    public enum Type { START, INTERIM_UPDATE, STOP }

    /** When the session began, as far as this record tells: Interims and Stops count back by the session time. */
    public Instant startTime() {
        if (type == Type.START || sessionTime == null) {
            return eventTime;
        }
        return eventTime.minusSeconds(sessionTime);
    }
}
