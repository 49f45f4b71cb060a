package captiva.sessions;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * A complete session record for imports, in the read API's own names. Times, MAC and IP stay text
 * here so that each bad value can be reported by name rather than failing the whole body.
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record ImportedSession(
        @Nullable String locationId,
        @Nullable String username,
        @Nullable String guestDeviceMac,
        @Nullable String guestDeviceIp,
        @Nullable String guestDeviceDescription,
        @Nullable String accessCode,
        @Nullable String loginTypeName,
        @Nullable String serviceProfileName,
        @Nullable String startTime,
        @Nullable String endTime,
        @Nullable Long downloadedBytes,
        @Nullable Long uploadedBytes,
        @Nullable Guest guest) {

    /**
     * Who the guest is, when the portal knew; matched to an existing guest by yas_id, then email.
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record Guest(@Nullable String name, @Nullable String email, @Nullable String yasId) {}
}
