package captiva.ingest.accounting;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * One accounting record sent over HTTP by a controller that cannot speak RADIUS: the attributes of
 * an Accounting-Request, named after RFC 2866 (and the read API where it has a name). Texts stay
 * text so that each bad value is reported by name.
 *
 * @param nasId the NAS (from the admin API) the record comes from
 * @param acctStatusType Start, Interim-Update, Stop, Accounting-On or Accounting-Off
 * @param eventTime ISO-8601 with offset; default: when it arrives
 * @param acctInputOctets what the device sent, all 64 bits (no gigawords needed)
 * @param acctOutputOctets what the device received
 * @param ssid the network's name; with the access point fields, what the vendor attributes of
 *     RADIUS tell
 * @param apMac the access point's MAC
 * @param framedIpv6Address the guest's IPv6 address (also its {@code guest_device_ip} when that is
 *     not given)
 * @param framedIpv6Prefix the IPv6 prefix of the guest's link, {@code address/length}
 * @param delegatedIpv6Prefix the prefix delegated to the guest, {@code address/length}
 * @param framedInterfaceId the guest's IPv6 interface id, four groups of hex ({@code
 *     0211:22ff:fe33:4455})
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record AccountingRecord(
        @Nullable String nasId,
        @Nullable String acctStatusType,
        @Nullable String acctSessionId,
        @Nullable String eventTime,
        @Nullable String username,
        @Nullable String guestDeviceMac,
        @Nullable String guestDeviceIp,
        @Nullable Long acctInputOctets,
        @Nullable Long acctOutputOctets,
        @Nullable Long acctSessionTime,
        @Nullable String acctTerminateCause,
        @Nullable String ssid,
        @Nullable String apMac,
        @Nullable String apName,
        @Nullable String apGroup,
        @Nullable String apLocationId,
        @Nullable String framedIpv6Address,
        @Nullable String framedIpv6Prefix,
        @Nullable String delegatedIpv6Prefix,
        @Nullable String framedInterfaceId) {}
