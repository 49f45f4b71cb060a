package captiva.common.query;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * A start_time or end_time filter as given: a day in the venue's time zone, or an exact instant.
 * Exactly one of the two is set.
 */
public record TimeBound(@Nullable LocalDate day, @Nullable Instant instant) {

    /** Where an inclusive "on or after" bound begins. */
    public Instant from(ZoneId zone) {
        return day != null ? day.atStartOfDay(zone).toInstant() : instant;
    }

    /**
     * The exclusive end of an "on or before" bound: the next midnight, or just past the instant.
     */
    public Instant until(ZoneId zone) {
        return day != null
                ? day.plusDays(1).atStartOfDay(zone).toInstant()
                : instant.plusNanos(1_000);
    }
}
