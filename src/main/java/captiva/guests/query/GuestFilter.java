package captiva.guests.query;

import captiva.common.OpaqueIds;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.QueryParams;
import captiva.common.query.TimeBound;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpParameters;
import java.util.List;

/**
 * The filters of GET /guests and /guests/count, parsed once at the edge, with the parameter rules
 * of /sessions. A well-formed but unknown location id matches nothing, like another tenant's.
 *
 * @param locationId only guests who had a session at this venue; their numbers then count only
 *     those sessions
 * @param lastSeenFrom last seen on or after this (a day in the venue's zone, or an instant)
 * @param lastSeenTo last seen on or before this
 */
record GuestFilter(
        @Nullable String username,
        @Nullable String email,
        @Nullable String yasId,
        @Nullable Long locationId,
        @Nullable TimeBound lastSeenFrom,
        @Nullable TimeBound lastSeenTo,
        @Nullable Boolean online,
        boolean matchesNothing) {

    /** The parameters that page links repeat, in this order; the link adds its own page. */
    static final List<String> REPEATED_IN_LINKS =
            List.of(
                    "username",
                    "email",
                    "yas_id",
                    "location_id",
                    "last_seen_from",
                    "last_seen_to",
                    "online",
                    "per_page");

    private static final int MAX_TEXT = 200;

    static GuestFilter parse(HttpParameters params, OpaqueIds ids, List<InvalidParam> errors) {
        String username = text("username", params, errors);
        String email = text("email", params, errors);
        String yasId = text("yas_id", params, errors);
        QueryParams.IdParam location =
                QueryParams.id("location_id", OpaqueIds.Kind.LOCATION, params, ids, errors);
        TimeBound from = QueryParams.time("last_seen_from", params, errors);
        TimeBound to = QueryParams.time("last_seen_to", params, errors);
        Boolean online = QueryParams.bool("online", params, errors);
        return new GuestFilter(
                username, email, yasId, location.id(), from, to, online, location.unknown());
    }

    /** Whether a date-only bound needs the zone its days are in. */
    boolean hasDays() {
        return (lastSeenFrom != null && lastSeenFrom.day() != null)
                || (lastSeenTo != null && lastSeenTo.day() != null);
    }

    @Nullable
    private static String text(String name, HttpParameters params, List<InvalidParam> errors) {
        String value = QueryParams.single(params, name, errors);
        if (value != null && (value.isEmpty() || value.length() > MAX_TEXT)) {
            errors.add(new InvalidParam(name, "must be 1 to " + MAX_TEXT + " characters"));
            return null;
        }
        return value;
    }
}
