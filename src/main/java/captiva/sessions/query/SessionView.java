package captiva.sessions.query;

import captiva.common.OpaqueIds;
import captiva.common.format.Formats;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A session as the reference API shows it, field for field, plus the raw numbers ({@code
 * downloaded_bytes}, {@code uploaded_bytes}, {@code duration_seconds}) and the venue's {@code
 * time_zone}, so that nobody has to parse {@code 3.34 MB} back into a number. Last come what the
 * NAS told beyond the reference's fields: the access point and SSID, and the IPv6 assignments (all
 * null when not sent).
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record SessionView(
        String id,
        String locationId,
        String locationName,
        @Nullable String guestDeviceDescription,
        @Nullable String guestDeviceMac,
        @Nullable String guestDeviceIp,
        @Nullable String accessCode,
        @Nullable String loginTypeName,
        @Nullable String serviceProfileName,
        String totalDuration,
        String downloadedData,
        String uploadedData,
        String connectionStatus,
        int connectionStatusValue,
        String startTime,
        String startTimeFormatted,
        @Nullable String endTime,
        @Nullable String endTimeFormatted,
        @Nullable String guestId,
        @Nullable String yasId,
        long downloadedBytes,
        long uploadedBytes,
        long durationSeconds,
        String timeZone,
        @Nullable String ssid,
        @Nullable String apMac,
        @Nullable String apName,
        @Nullable String apGroup,
        @Nullable String apLocationId,
        @Nullable String framedIpv6Address,
        @Nullable String framedIpv6Prefix,
        @Nullable String delegatedIpv6Prefix) {

    /**
     * downloaded is what the device received (output octets); uploaded what it sent (input octets).
     */
    static SessionView from(SessionRow row, OpaqueIds ids, Instant now, Instant onlineCutoff) {
        ZoneId zone = ZoneId.of(row.timeZone());
        boolean online = row.online(onlineCutoff);
        Duration duration = Duration.between(row.startTime(), row.effectiveEnd(now, onlineCutoff));
        return new SessionView(
                ids.encode(OpaqueIds.Kind.SESSION, row.id()),
                ids.encode(OpaqueIds.Kind.LOCATION, row.locationId()),
                row.locationName(),
                row.guestDeviceDescription(),
                row.guestDeviceMac(),
                row.guestDeviceIp(),
                row.accessCode(),
                row.loginTypeName(),
                row.serviceProfileName(),
                Formats.hms(duration),
                Formats.siBytes(row.outputOctets()),
                Formats.siBytes(row.inputOctets()),
                online ? "Online" : "Offline",
                online ? 1 : 0,
                Formats.isoUtc(row.startTime()),
                Formats.venueLocal(row.startTime(), zone),
                row.endTime() == null ? null : Formats.isoUtc(row.endTime()),
                row.endTime() == null ? null : Formats.venueLocal(row.endTime(), zone),
                row.guestId() == null ? null : ids.encode(OpaqueIds.Kind.GUEST, row.guestId()),
                row.yasId(),
                row.outputOctets(),
                row.inputOctets(),
                Math.max(0, duration.getSeconds()),
                row.timeZone(),
                row.accessPoint().ssid(),
                row.accessPoint().apMac(),
                row.accessPoint().apName(),
                row.accessPoint().apGroup(),
                row.accessPoint().apLocationId(),
                row.ipv6().framedIpv6Address(),
                row.ipv6().framedIpv6Prefix(),
                row.ipv6().delegatedIpv6Prefix());
    }
}
