package captiva.ingest.accounting;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Fields;
import captiva.common.problem.Problem.InvalidParam;
import captiva.sessions.AccountingEvent;
import captiva.sessions.SessionAttributes;
import captiva.sessions.SessionRecorder;
import captiva.tenancy.NasRegistry;
import captiva.tenancy.NasRegistry.Nas;
import captiva.tenancy.TenantScope;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Applies accounting records sent over HTTP through the same session lifecycle as RADIUS ({@link
 * SessionRecorder}): idempotent and order-tolerant. All records are checked first, every bad field
 * is named, and nothing is stored unless all are good; then all go in one transaction.
 */
@Singleton
class AccountingIngest {

    static final int MAX_TEXT = 253; // a RADIUS attribute holds at most 253 octets
    private static final String STATUS_TYPES =
            Arrays.stream(AccountingEvent.Type.values())
                    .map(AccountingEvent.Type::rfcName)
                    .collect(Collectors.joining(", "));

    private final SessionRecorder recorder;
    private final NasRegistry nasRegistry;
    private final OpaqueIds ids;
    private final Clock clock;

    AccountingIngest(
            SessionRecorder recorder, NasRegistry nasRegistry, OpaqueIds ids, Clock clock) {
        this.recorder = recorder;
        this.nasRegistry = nasRegistry;
        this.ids = ids;
        this.clock = clock;
    }

    /** Stores the records in order and returns how many. */
    int store(TenantScope scope, List<AccountingRecord> records) {
        Instant arrival = clock.instant();
        List<InvalidParam> errors = new ArrayList<>();
        Map<Long, Optional<Nas>> nasCache = new HashMap<>();
        List<AccountingEvent> events = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            toEvent("/" + i + "/", records.get(i), scope, arrival, nasCache, errors)
                    .ifPresent(events::add);
        }
        ApiProblem.InvalidParameters.failOn(errors);
        recorder.record(events);
        return events.size();
    }

    private Optional<AccountingEvent> toEvent(
            String at,
            AccountingRecord r,
            TenantScope scope,
            Instant arrival,
            Map<Long, Optional<Nas>> nasCache,
            List<InvalidParam> errors) {
        if (r == null) {
            errors.add(
                    new InvalidParam(
                            at.substring(0, at.length() - 1), "must be an accounting record"));
            return Optional.empty();
        }
        int before = errors.size();
        Nas nas = null;
        OptionalLong nasId =
                r.nasId() == null
                        ? OptionalLong.empty()
                        : ids.decode(OpaqueIds.Kind.NAS, r.nasId());
        if (nasId.isEmpty()) {
            errors.add(
                    new InvalidParam(
                            at + "nas_id",
                            r.nasId() == null ? "is required" : "is not a NAS of this tenant"));
        } else {
            nas =
                    nasCache.computeIfAbsent(
                                    nasId.getAsLong(), id -> nasRegistry.find(scope.tenantId(), id))
                            .filter(n -> scope.maySee(n.locationId()))
                            .orElse(null);
            if (nas == null) {
                errors.add(new InvalidParam(at + "nas_id", "is not a NAS of this tenant"));
            }
        }
        AccountingEvent.Type type = AccountingEvent.Type.ofRfcName(r.acctStatusType()).orElse(null);
        if (type == null) {
            errors.add(new InvalidParam(at + "acct_status_type", "must be one of " + STATUS_TYPES));
        }
        if (type != null
                && !type.isNasWide()
                && (r.acctSessionId() == null || r.acctSessionId().isEmpty())) {
            errors.add(
                    new InvalidParam(
                            at + "acct_session_id", "is required for " + r.acctStatusType()));
        }
        Instant eventTime = arrival;
        if (r.eventTime() != null) {
            eventTime = Fields.time(at + "event_time", r.eventTime(), errors);
        }
        String mac = Fields.mac(at + "guest_device_mac", r.guestDeviceMac(), errors);
        SessionAttributes attributes = attributes(at, r, errors);
        // As on the RADIUS path, a guest known only by its IPv6 address is found by it.
        String ip =
                r.guestDeviceIp() == null
                        ? attributes.framedIpv6Address()
                        : Fields.ip(at + "guest_device_ip", r.guestDeviceIp(), errors);
        nonNegative(at + "acct_input_octets", r.acctInputOctets(), errors);
        nonNegative(at + "acct_output_octets", r.acctOutputOctets(), errors);
        nonNegative(at + "acct_session_time", r.acctSessionTime(), errors);
        text(at + "acct_session_id", r.acctSessionId(), errors);
        text(at + "username", r.username(), errors);
        text(at + "acct_terminate_cause", r.acctTerminateCause(), errors);
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(
                new AccountingEvent(
                        nas.tenantId(),
                        nas.locationId(),
                        nas.id(),
                        type.isNasWide() ? null : r.acctSessionId(),
                        type,
                        eventTime,
                        r.username(),
                        mac,
                        ip,
                        r.acctInputOctets() == null ? 0 : r.acctInputOctets(),
                        r.acctOutputOctets() == null ? 0 : r.acctOutputOctets(),
                        r.acctSessionTime(),
                        r.acctTerminateCause(),
                        attributes));
    }

    private static final Pattern INTERFACE_ID =
            Pattern.compile("\\p{XDigit}{1,4}(:\\p{XDigit}{1,4}){3}");

    /** The access point and IPv6 fields, in the spellings RADIUS accounting stores them in. */
    private static SessionAttributes attributes(
            String at, AccountingRecord r, List<InvalidParam> errors) {
        text(at + "ssid", r.ssid(), errors);
        text(at + "ap_name", r.apName(), errors);
        text(at + "ap_group", r.apGroup(), errors);
        text(at + "ap_location_id", r.apLocationId(), errors);
        String apMac = Fields.mac(at + "ap_mac", r.apMac(), errors);
        String address = Fields.ipv6(at + "framed_ipv6_address", r.framedIpv6Address(), errors);
        String interfaceId = null;
        if (r.framedInterfaceId() != null) {
            if (INTERFACE_ID.matcher(r.framedInterfaceId()).matches()) {
                StringBuilder canonical = new StringBuilder();
                for (String group : r.framedInterfaceId().split(":", -1)) {
                    canonical
                            .append(canonical.length() == 0 ? "" : ":")
                            .append("0".repeat(4 - group.length()))
                            .append(group.toLowerCase(Locale.ROOT));
                }
                interfaceId = canonical.toString();
            } else {
                errors.add(
                        new InvalidParam(
                                at + "framed_interface_id",
                                "must be four groups of 1 to 4 hex digits, like 0211:22ff:fe33:4455"));
            }
        }
        return new SessionAttributes(
                r.ssid(),
                apMac,
                r.apName(),
                r.apGroup(),
                r.apLocationId(),
                address,
                Fields.ipv6Prefix(at + "framed_ipv6_prefix", r.framedIpv6Prefix(), errors),
                Fields.ipv6Prefix(at + "delegated_ipv6_prefix", r.delegatedIpv6Prefix(), errors),
                interfaceId,
                null,
                null,
                null);
    }

    private static void nonNegative(String name, Long value, List<InvalidParam> errors) {
        if (value != null && value < 0) {
            errors.add(new InvalidParam(name, "must not be negative"));
        }
    }

    private static void text(String name, String value, List<InvalidParam> errors) {
        if (value != null && value.length() > MAX_TEXT) {
            errors.add(new InvalidParam(name, "is longer than " + MAX_TEXT + " characters"));
        }
    }
}
