package captiva.ingest.accounting;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * One accounting record sent over HTTP by a controller that cannot speak RADIUS: the attributes
 * of an Accounting-Request, named after RFC 2866 (and the read API where it has a name).
 * Texts stay text so that each bad value is reported by name.
 *
 * @param nasId            the NAS (from the admin API) the record comes from
 * @param acctStatusType   Start, Interim-Update, Stop, Accounting-On or Accounting-Off
 * @param eventTime        ISO-8601 with offset; default: when it arrives
 * @param acctInputOctets  what the device sent, all 64 bits (no gigawords needed)
 * @param acctOutputOctets what the device received
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record AccountingRecord(@Nullable String nasId, @Nullable String acctStatusType,
                               @Nullable String acctSessionId, @Nullable String eventTime,
                               @Nullable String username, @Nullable String guestDeviceMac,
                               @Nullable String guestDeviceIp, @Nullable Long acctInputOctets,
                               @Nullable Long acctOutputOctets, @Nullable Long acctSessionTime,
                               @Nullable String acctTerminateCause) {
}
