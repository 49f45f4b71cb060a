package captiva.ingest.logins;

import io.micronaut.core.annotation.Nullable;

/**
 * One captive-portal login as the portal sent it, in the read API's names. Values stay text here so
 * that each bad one can be named; {@link LoginIngest} checks them.
 *
 * @param loginTime ISO-8601 with offset, or null for the time it arrives
 * @param guest who logged in, when the portal knows; null for an anonymous login
 */
record LoginRecord(
        @Nullable String locationId,
        @Nullable String username,
        @Nullable String guestDeviceMac,
        @Nullable String guestDeviceDescription,
        @Nullable String loginTypeName,
        @Nullable String serviceProfileName,
        @Nullable String accessCode,
        @Nullable String loginTime,
        @Nullable Guest guest) {

    /** The guest's own details; matched to a known guest by yas_id, then email, then username. */
    record Guest(@Nullable String name, @Nullable String email, @Nullable String yasId) {}
}
