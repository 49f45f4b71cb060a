package captiva.sessions;

import io.micronaut.core.annotation.Nullable;
import java.util.Arrays;
import java.util.List;

/**
 * What a NAS tells about a session beyond its counters: where the guest is connected (access point,
 * SSID), the IPv6 addresses and prefixes it was given, and the identities that tie reconnects
 * together. Any part may be null (not sent); a session keeps the latest non-null value of each,
 * since a guest can roam to another access point and a Start may carry less than the Interims after
 * it.
 *
 * @param ssid the network's name
 * @param apMac the access point's MAC, canonical ({@code 04:bd:88:c9:5f:f0})
 * @param apName the access point's or hotspot location's name
 * @param apGroup the group or zone of access points
 * @param apLocationId the hotspot's location id (WISPr-Location-ID)
 * @param framedIpv6Address Framed-IPv6-Address, an IPv6 literal
 * @param framedIpv6Prefix Framed-IPv6-Prefix, {@code address/length}
 * @param delegatedIpv6Prefix Delegated-IPv6-Prefix, {@code address/length}
 * @param framedInterfaceId Framed-Interface-Id, {@code 0211:22ff:fe33:4455}
 * @param acctMultiSessionId Acct-Multi-Session-Id
 * @param classHex Class (octets), lower-case hex
 * @param chargeableUserIdentityHex Chargeable-User-Identity (octets), lower-case hex
 */
public record SessionAttributes(
        @Nullable String ssid,
        @Nullable String apMac,
        @Nullable String apName,
        @Nullable String apGroup,
        @Nullable String apLocationId,
        @Nullable String framedIpv6Address,
        @Nullable String framedIpv6Prefix,
        @Nullable String delegatedIpv6Prefix,
        @Nullable String framedInterfaceId,
        @Nullable String acctMultiSessionId,
        @Nullable String classHex,
        @Nullable String chargeableUserIdentityHex) {

    /** Nothing known beyond the counters: HTTP accounting, imports and the demo's simulator. */
    public static final SessionAttributes NONE =
            new SessionAttributes(
                    null, null, null, null, null, null, null, null, null, null, null, null);

    /**
     * These values, each replaced by {@code later}'s where that one is not null: what the session
     * keeps.
     */
    public SessionAttributes then(SessionAttributes later) {
        return new SessionAttributes(
                or(later.ssid, ssid),
                or(later.apMac, apMac),
                or(later.apName, apName),
                or(later.apGroup, apGroup),
                or(later.apLocationId, apLocationId),
                or(later.framedIpv6Address, framedIpv6Address),
                or(later.framedIpv6Prefix, framedIpv6Prefix),
                or(later.delegatedIpv6Prefix, delegatedIpv6Prefix),
                or(later.framedInterfaceId, framedInterfaceId),
                or(later.acctMultiSessionId, acctMultiSessionId),
                or(later.classHex, classHex),
                or(later.chargeableUserIdentityHex, chargeableUserIdentityHex));
    }

    /** Every value, in column order, for binding and for the NUL check of the batch folding. */
    List<String> values() {
        return Arrays.asList(
                ssid,
                apMac,
                apName,
                apGroup,
                apLocationId,
                framedIpv6Address,
                framedIpv6Prefix,
                delegatedIpv6Prefix,
                framedInterfaceId,
                acctMultiSessionId,
                classHex,
                chargeableUserIdentityHex);
    }

    private static String or(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }
}
