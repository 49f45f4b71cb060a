package captiva.common.query;

import captiva.common.OpaqueIds;
import captiva.common.Timestamps;
import captiva.common.problem.Problem.InvalidParam;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpParameters;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Query parameters read once at the edge, the same way on every endpoint: each reader returns the
 * value, or adds an {@link InvalidParam} naming the parameter to {@code errors} and returns null.
 */
public final class QueryParams {

    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private QueryParams() {}

    /**
     * The one value of a parameter, or null when absent; a repeated parameter is an error, not a
     * guess.
     */
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
        // The decoder turns percent-escapes that are not UTF-8 into U+FFFD: refuse rather than
        // search for a guess.
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
    public record IdParam(@Nullable Long id, boolean unknown) {}

    public static IdParam id(
            String name,
            OpaqueIds.Kind kind,
            HttpParameters params,
            OpaqueIds ids,
            List<InvalidParam> errors) {
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

    /**
     * A day (yyyy-mm-dd, in the venue's zone) or an exact instant, as start_time and end_time take
     * them.
     */
    @Nullable
    public static TimeBound time(String name, HttpParameters params, List<InvalidParam> errors) {
        String text = single(params, name, errors);
        if (text == null) {
            return null;
        }
        Optional<TimeBound> bound =
                DAY.matcher(text).matches()
                        ? Timestamps.parseDay(text).map(day -> new TimeBound(day, null))
                        : Timestamps.parse(text).map(instant -> new TimeBound(null, instant));
        if (bound.isEmpty()) {
            errors.add(
                    new InvalidParam(name, "must be a day (yyyy-mm-dd) or " + Timestamps.EXPECTED));
        }
        return bound.orElse(null);
    }

    /**
     * An integer from {@code min} to {@code max}, or {@code otherwise} when absent; anything else
     * is an error.
     */
    public static int integer(
            HttpParameters params,
            String name,
            int min,
            int max,
            int otherwise,
            List<InvalidParam> errors) {
        String text = single(params, name, errors);
        if (text == null) {
            return otherwise;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below, like an out-of-range number
        }
        errors.add(new InvalidParam(name, "must be an integer from " + min + " to " + max));
        return otherwise;
    }
}
