package captiva.sessions.query;

import captiva.common.MacAddress;
import captiva.common.OpaqueIds;
import captiva.common.Timestamps;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.TimeBound;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpParameters;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The filters of GET /sessions and /sessions/count, parsed once at the edge. Ids that are well
 * formed but unknown decode to a filter that matches nothing ({@link #matchesNothing}), exactly like
 * another tenant's ids.
 */
public record SessionFilter(@Nullable Long guestId, @Nullable Long locationId, @Nullable String guestDeviceMac,
                     @Nullable TimeBound startTime, @Nullable TimeBound endTime, @Nullable String yasId,
                     @Nullable Boolean online, boolean matchesNothing) {

    /** The parameters that page links repeat, in this order; the link adds its own page. */
    static final List<String> REPEATED_IN_LINKS = List.of("guest_id", "location_id", "guest_device_mac", "start_time",
            "end_time", "yas_id", "online", "last_session_first", "per_page");

    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final int MAX_TEXT = 200;

    public static SessionFilter parse(HttpParameters params, OpaqueIds ids, List<InvalidParam> errors) {
        IdParam guest = id("guest_id", OpaqueIds.Kind.GUEST, params, ids, errors);
        IdParam location = id("location_id", OpaqueIds.Kind.LOCATION, params, ids, errors);
        String mac = null;
        String macText = single(params, "guest_device_mac", errors);
        if (macText != null) {
            mac = MacAddress.parse(macText).orElse(null);
            if (mac == null) {
                errors.add(new InvalidParam("guest_device_mac", "must be a MAC address, like 14:2d:27:e7:40:2b"));
            }
        }
        TimeBound start = time("start_time", params, errors);
        TimeBound end = time("end_time", params, errors);
        String yasId = single(params, "yas_id", errors);
        if (yasId != null && (yasId.isEmpty() || yasId.length() > MAX_TEXT)) {
            errors.add(new InvalidParam("yas_id", "must be 1 to " + MAX_TEXT + " characters"));
        }
        Boolean online = bool("online", params, errors);
        return new SessionFilter(guest.id(), location.id(), mac, start, end, yasId, online,
                guest.unknown() || location.unknown());
    }

    /** The one value of a parameter, or null when absent; a repeated parameter is an error, not a guess. */
    @Nullable
    public static String single(HttpParameters params, String name, List<InvalidParam> errors) {
        List<String> values = params.getAll(name);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            errors.add(new InvalidParam(name, "must be given once"));
            return null;
        }
        if (values.get(0).indexOf('\0') >= 0) {
            errors.add(new InvalidParam(name, "must not contain NUL characters"));
            return null;
        }
        // The decoder turns percent-escapes that are not UTF-8 into U+FFFD: refuse rather than search for a guess.
        if (values.get(0).indexOf('\uFFFD') >= 0) {
            errors.add(new InvalidParam(name, "must be percent-encoded UTF-8"));
            return null;
        }
        return values.get(0);
    }

    @Nullable
    public static Boolean bool(String name, HttpParameters params, List<InvalidParam> errors) {
        String text = single(params, name, errors);
        if (text == null) {
            return null;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> {
                errors.add(new InvalidParam(name, "must be true or false"));
                yield null;
            }
        };
    }

    /**
     * An id parameter as given: absent (both empty), a row id, or well formed but unknown, which
     * must match nothing rather than be ignored.
     */
    public record IdParam(@Nullable Long id, boolean unknown) {
    }

    public static IdParam id(String name, OpaqueIds.Kind kind, HttpParameters params, OpaqueIds ids, List<InvalidParam> errors) {
        String text = single(params, name, errors);
        if (text == null) {
            return new IdParam(null, false);
        }
        if (!ids.looksLikeId(text)) {
            errors.add(new InvalidParam(name, "is not a valid id"));
            return new IdParam(null, false);
        }
        OptionalLong id = ids.decode(kind, text);
        return id.isPresent() ? new IdParam(id.getAsLong(), false) : new IdParam(null, true);
    }

    /** A day (yyyy-mm-dd, in the venue's zone) or an exact instant, as start_time and end_time take them. */
    @Nullable
    public static TimeBound time(String name, HttpParameters params, List<InvalidParam> errors) {
        String text = single(params, name, errors);
        if (text == null) {
            return null;
        }
        Optional<TimeBound> bound = DAY.matcher(text).matches()
                ? Timestamps.parseDay(text).map(day -> new TimeBound(day, null))
                : Timestamps.parse(text).map(instant -> new TimeBound(null, instant));
        if (bound.isEmpty()) {
            errors.add(new InvalidParam(name, "must be a day (yyyy-mm-dd) or " + Timestamps.EXPECTED));
        }
        return bound.orElse(null);
    }
}
