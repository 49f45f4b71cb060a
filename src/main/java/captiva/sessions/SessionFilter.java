package captiva.sessions;

import captiva.common.OpaqueIds;
import captiva.common.problem.Fields;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.QueryParams;
import captiva.common.query.TimeBound;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpParameters;
import java.util.List;

/**
 * The filters of GET /sessions and /sessions/count, parsed once at the edge. Ids that are well
 * formed but unknown decode to a filter that matches nothing ({@link #matchesNothing}), exactly
 * like another tenant's ids.
 */
public record SessionFilter(
        @Nullable Long guestId,
        @Nullable Long locationId,
        @Nullable String guestDeviceMac,
        @Nullable TimeBound startTime,
        @Nullable TimeBound endTime,
        @Nullable String yasId,
        @Nullable Boolean online,
        boolean matchesNothing) {

    /** The parameters that page links repeat, in this order; the link adds its own page. */
    public static final List<String> REPEATED_IN_LINKS =
            List.of(
                    "guest_id",
                    "location_id",
                    "guest_device_mac",
                    "start_time",
                    "end_time",
                    "yas_id",
                    "online",
                    "last_session_first",
                    "per_page");

    private static final int MAX_TEXT = 200;

    public static SessionFilter parse(
            HttpParameters params, OpaqueIds ids, List<InvalidParam> errors) {
        QueryParams.IdParam guest =
                QueryParams.id("guest_id", OpaqueIds.Kind.GUEST, params, ids, errors);
        QueryParams.IdParam location =
                QueryParams.id("location_id", OpaqueIds.Kind.LOCATION, params, ids, errors);
        String mac =
                Fields.mac(
                        "guest_device_mac",
                        QueryParams.single(params, "guest_device_mac", errors),
                        errors);
        TimeBound start = QueryParams.time("start_time", params, errors);
        TimeBound end = QueryParams.time("end_time", params, errors);
        String yasId = QueryParams.single(params, "yas_id", errors);
        if (yasId != null && (yasId.isEmpty() || yasId.length() > MAX_TEXT)) {
            errors.add(new InvalidParam("yas_id", "must be 1 to " + MAX_TEXT + " characters"));
        }
        Boolean online = QueryParams.bool("online", params, errors);
        return new SessionFilter(
                guest.id(),
                location.id(),
                mac,
                start,
                end,
                yasId,
                online,
                guest.unknown() || location.unknown());
    }
}
