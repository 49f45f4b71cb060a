package captiva.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ISO-8601 times and days as clients send them, limited to years PostgreSQL and people both
 * understand: a year like +999999999 is a typo, not a query.
 */
public final class Timestamps {

    public static final String EXPECTED =
            "an ISO-8601 time with offset between 1970 and 9999, like 2017-01-05T06:50:55+00:00";
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    // A '+' in an unencoded query string arrives as a space: "…06:50:55 00:00" means "+00:00".
    private static final Pattern SPACE_FOR_PLUS = Pattern.compile("(.*T[0-9:.]+) (\\d{2}:?\\d{2})");

    private Timestamps() {}

    /**
     * Returns the instant, or empty when the text is no time with offset in the supported years.
     */
    public static Optional<Instant> parse(String text) {
        try {
            Instant instant =
                    OffsetDateTime.parse(SPACE_FOR_PLUS.matcher(text).replaceFirst("$1+$2"))
                            .toInstant();
            return instant.isBefore(EARLIEST) || instant.isAfter(LATEST)
                    ? Optional.empty()
                    : Optional.of(instant);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns the day of a {@code yyyy-mm-dd} text, or empty when it is none in the supported
     * years.
     */
    public static Optional<LocalDate> parseDay(String text) {
        try {
            LocalDate day = LocalDate.parse(text);
            return day.getYear() < 1970 || day.getYear() > 9999
                    ? Optional.empty()
                    : Optional.of(day);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
