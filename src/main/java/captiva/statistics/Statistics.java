package captiva.statistics;

import captiva.common.format.Formats;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * The statistics of a set of sessions (the whole selection, or one group). See openapi.yml ({@code
 * SessionStatistics}) for what each figure means; averages and medians are null when there is no
 * session, the percentage when there is no guest. {@code guests_served}, {@code
 * average_time_served} and {@code num_sessions} repeat three figures under the names that
 * pager-style dashboards read.
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record Statistics(
        long sessions,
        long uniqueGuests,
        long uniqueDevices,
        long returningGuests,
        @Nullable BigDecimal returningGuestsPercentage,
        @Nullable Long averageDurationSeconds,
        @Nullable String averageDuration,
        @Nullable Long medianDurationSeconds,
        @Nullable String medianDuration,
        long downloadedBytes,
        String downloadedData,
        long uploadedBytes,
        String uploadedData,
        long peakGuestsOnline,
        long guestsOnlineNow,
        long guestsServed,
        @Nullable String averageTimeServed,
        long numSessions) {

    /** The figures as counted; the formatted and derived ones follow from them. */
    record Counts(
            long sessions,
            long uniqueGuests,
            long uniqueDevices,
            long returningGuests,
            long totalDurationSeconds,
            @Nullable Long medianDurationSeconds,
            long downloadedBytes,
            long uploadedBytes,
            long peakGuestsOnline,
            long guestsOnlineNow) {}

    static final Statistics NONE = of(new Counts(0, 0, 0, 0, 0, null, 0, 0, 0, 0));

    static Statistics of(Counts c) {
        BigDecimal returningPercentage =
                c.uniqueGuests() == 0
                        ? null
                        : BigDecimal.valueOf(100 * c.returningGuests())
                                .divide(
                                        BigDecimal.valueOf(c.uniqueGuests()),
                                        2,
                                        RoundingMode.HALF_UP);
        Long average =
                c.sessions() == 0
                        ? null
                        : BigDecimal.valueOf(c.totalDurationSeconds())
                                .divide(BigDecimal.valueOf(c.sessions()), 0, RoundingMode.HALF_UP)
                                .longValueExact();
        String averageHms = hms(average);
        return new Statistics(
                c.sessions(),
                c.uniqueGuests(),
                c.uniqueDevices(),
                c.returningGuests(),
                returningPercentage,
                average,
                averageHms,
                c.medianDurationSeconds(),
                hms(c.medianDurationSeconds()),
                c.downloadedBytes(),
                Formats.siBytes(c.downloadedBytes()),
                c.uploadedBytes(),
                Formats.siBytes(c.uploadedBytes()),
                c.peakGuestsOnline(),
                c.guestsOnlineNow(),
                c.uniqueGuests(),
                averageHms,
                c.sessions());
    }

    @Nullable
    private static String hms(@Nullable Long seconds) {
        return seconds == null ? null : Formats.hms(Duration.ofSeconds(seconds));
    }
}
