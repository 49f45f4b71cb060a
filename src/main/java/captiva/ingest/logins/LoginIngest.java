package captiva.ingest.logins;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Fields;
import captiva.common.problem.Problem.InvalidParam;
import captiva.tenancy.LocationRepository;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Records captive-portal logins: checks every record (nothing is stored unless all are good), finds
 * or creates each guest, stores the logins and links the sessions they apply to. Sessions stored
 * later are linked by the database itself (see V4__logins.sql).
 */
@Singleton
class LoginIngest {

    static final int MAX_TEXT = 1000;
    static final int MAX_USERNAME = 253; // RADIUS User-Name
    static final int MAX_EMAIL = 254;
    static final int MAX_YAS_ID = 200; // what GET /sessions?yas_id= accepts

    /** Portal clocks run a little ahead; further than this a login_time is a mistake. */
    static final Duration MAX_CLOCK_AHEAD = Duration.ofMinutes(5);

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private final LoginStore store;
    private final LocationRepository locations;
    private final OpaqueIds ids;
    private final Clock clock;

    LoginIngest(LoginStore store, LocationRepository locations, OpaqueIds ids, Clock clock) {
        this.store = store;
        this.locations = locations;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Checks every login, then stores them all in one transaction and links the sessions already
     * stored, including those whose insert was in flight (LoginStore waits for them).
     *
     * @throws ApiProblem.InvalidParameters naming every bad field; nothing is stored then
     */
    LoginResults record(TenantScope scope, LoginBody body) {
        Instant now = clock.instant();
        List<InvalidParam> errors = new ArrayList<>();
        Map<String, OptionalLong> usable = new HashMap<>();
        List<Login> logins = new ArrayList<>(body.records().size());
        for (int i = 0; i < body.records().size(); i++) {
            logins.add(validate(body, i, scope, usable, now, errors));
        }
        ApiProblem.InvalidParameters.failOn(errors);
        List<LoginStore.Stored> stored = store.store(scope, logins);
        List<LoginResults.LoginResult> results = new ArrayList<>(stored.size());
        for (LoginStore.Stored s : stored) {
            results.add(
                    new LoginResults.LoginResult(
                            ids.encode(OpaqueIds.Kind.LOGIN, s.loginId()),
                            s.guestId() == null
                                    ? null
                                    : ids.encode(OpaqueIds.Kind.GUEST, s.guestId()),
                            s.linkedSessions()));
        }
        return new LoginResults(results);
    }

    private Login validate(
            LoginBody body,
            int index,
            TenantScope scope,
            Map<String, OptionalLong> usable,
            Instant now,
            List<InvalidParam> errors) {
        LoginRecord r = body.records().get(index);
        Checks check = new Checks(body, index, errors);
        long locationId = -1;
        if (r.locationId() == null) {
            check.fail("location_id", "is required");
        } else {
            // Unknown, another tenant's, or hidden from this key: all read the same.
            OptionalLong id =
                    usable.computeIfAbsent(r.locationId(), text -> usableLocation(scope, text));
            if (id.isEmpty()) {
                check.fail("location_id", "is not a location this API key may use");
            } else {
                locationId = id.getAsLong();
            }
        }
        check.length("username", r.username(), 1, MAX_USERNAME);
        if (r.username() == null && r.guestDeviceMac() == null) {
            check.fail("username", "is required when guest_device_mac is not given");
        }
        String mac =
                Fields.mac(
                        body.pointer(index, "guest_device_mac"),
                        r.guestDeviceMac(),
                        check.errors());
        check.length("guest_device_description", r.guestDeviceDescription(), 0, MAX_TEXT);
        check.length("login_type_name", r.loginTypeName(), 0, MAX_TEXT);
        check.length("service_profile_name", r.serviceProfileName(), 0, MAX_TEXT);
        check.length("access_code", r.accessCode(), 0, MAX_TEXT);
        Instant loginTime = now;
        if (r.loginTime() != null) {
            loginTime =
                    Fields.time(body.pointer(index, "login_time"), r.loginTime(), check.errors());
            if (loginTime != null && loginTime.isAfter(now.plus(MAX_CLOCK_AHEAD))) {
                check.fail(
                        "login_time",
                        "is more than " + MAX_CLOCK_AHEAD.toMinutes() + " minutes in the future");
            }
        }
        LoginRecord.Guest guest =
                r.guest() != null ? r.guest() : new LoginRecord.Guest(null, null, null);
        check.length("guest/name", guest.name(), 0, MAX_TEXT);
        if (guest.email() != null
                && (guest.email().length() > MAX_EMAIL
                        || !EMAIL.matcher(guest.email()).matches())) {
            check.fail(
                    "guest/email",
                    "must be an email address of at most " + MAX_EMAIL + " characters");
        }
        check.length("guest/yas_id", guest.yasId(), 1, MAX_YAS_ID);
        return new Login(
                locationId,
                r.username(),
                mac,
                r.guestDeviceDescription(),
                r.loginTypeName(),
                r.serviceProfileName(),
                r.accessCode(),
                loginTime,
                guest.name(),
                guest.email(),
                guest.yasId());
    }

    private OptionalLong usableLocation(TenantScope scope, String text) {
        OptionalLong id = ids.decode(OpaqueIds.Kind.LOCATION, text);
        if (id.isEmpty()
                || !scope.maySee(id.getAsLong())
                || locations.findByIdAndTenantId(id.getAsLong(), scope.tenantId()).isEmpty()) {
            return OptionalLong.empty();
        }
        return id;
    }

    /** Collects the errors of one record under its JSON pointer. */
    private record Checks(LoginBody body, int index, List<InvalidParam> errors) {
        void fail(String field, String reason) {
            errors.add(new InvalidParam(body.pointer(index, field), reason));
        }

        void length(String field, @Nullable String value, int min, int max) {
            if (value != null && (value.length() < min || value.length() > max)) {
                fail(
                        field,
                        min == 0
                                ? "must be at most " + max + " characters"
                                : "must be " + min + " to " + max + " characters");
            }
        }
    }

    /** A login that passed every check: ids decoded, MAC canonical, time known. */
    record Login(
            long locationId,
            @Nullable String username,
            @Nullable String guestDeviceMac,
            @Nullable String guestDeviceDescription,
            @Nullable String loginTypeName,
            @Nullable String serviceProfileName,
            @Nullable String accessCode,
            Instant loginTime,
            @Nullable String guestName,
            @Nullable String guestEmail,
            @Nullable String guestYasId) {}
}
