package captiva.sessions.query;

import captiva.sessions.Online;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;

/** A session as read from the database, before any formatting. */
record SessionRow(
        long id,
        long locationId,
        String locationName,
        String timeZone,
        @Nullable String guestDeviceDescription,
        @Nullable String guestDeviceMac,
        @Nullable String guestDeviceIp,
        @Nullable String accessCode,
        @Nullable String loginTypeName,
        @Nullable String serviceProfileName,
        Instant startTime,
        Instant lastUpdate,
        @Nullable Instant endTime,
        long inputOctets,
        long outputOctets,
        @Nullable Long guestId,
        @Nullable String yasId,
        AccessPoint accessPoint,
        Ipv6 ipv6) {

    /** Where the guest is connected, as the NAS told it (vendor attributes, Called-Station-Id). */
    record AccessPoint(
            @Nullable String ssid,
            @Nullable String apMac,
            @Nullable String apName,
            @Nullable String apGroup,
            @Nullable String apLocationId) {}

    /** The IPv6 assignments; a prefix is shown as sent, {@code 2001:db8:1::/48}. */
    record Ipv6(
            @Nullable String framedIpv6Address,
            @Nullable String framedIpv6Prefix,
            @Nullable String delegatedIpv6Prefix) {}

    boolean online(Instant onlineCutoff) {
        return Online.test(endTime, lastUpdate, onlineCutoff);
    }

    Instant effectiveEnd(Instant now, Instant onlineCutoff) {
        return Online.effectiveEnd(endTime, lastUpdate, now, onlineCutoff);
    }
}
