package captiva.common.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.Fast;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Fast
@DisplayName("reference value formats")
class FormatsTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0 B",
        "999, 999 B",
        "1000, 1.00 kB",
        "900580, 900.58 kB",
        "999994, 999.99 kB",
        "999999, 1.00 MB",
        "3340000, 3.34 MB",
        "1500000000, 1.50 GB",
        "9223372036854775807, 9.22 EB"
    })
    void sizesAreSiWithTwoDecimals(long octets, String expected) {
        assertEquals(expected, Formats.siBytes(octets));
    }

    @ParameterizedTest
    @CsvSource({"0, 00:00:00", "545, 00:09:05", "3600, 01:00:00", "362439, 100:40:39"})
    void durationsAreHoursMinutesSecondsWithHoursPast99(long seconds, String expected) {
        assertEquals(expected, Formats.hms(Duration.ofSeconds(seconds)));
    }

    @Test
    void timesAreUtcWithOffsetAndVenueLocalFormatted() {
        Instant start = Instant.parse("2017-01-05T06:50:55Z");

        assertEquals("2017-01-05T06:50:55+00:00", Formats.isoUtc(start));
        assertEquals("2017-01-05 9:50 AM", Formats.venueLocal(start, ZoneId.of("Europe/Istanbul")));
        assertEquals(
                "2017-01-04 10:50 PM", Formats.venueLocal(start, ZoneId.of("America/Los_Angeles")));
    }

    /**
     * The hand-written formats against the library's, over random values (seeded: a failure
     * repeats).
     */
    @Test
    void handWrittenFormatsAgreeWithTheirDefinitions() {
        DateTimeFormatter iso =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT)
                        .withZone(ZoneId.of("UTC"));
        DateTimeFormatter local = DateTimeFormatter.ofPattern("yyyy-MM-dd h:mm a", Locale.US);
        List<ZoneId> zones =
                List.of(
                        ZoneId.of("UTC"),
                        ZoneId.of("Europe/Istanbul"),
                        ZoneId.of("America/Los_Angeles"),
                        ZoneId.of("Asia/Kolkata"),
                        ZoneId.of("Pacific/Chatham"),
                        ZoneId.of("Australia/Lord_Howe"));
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 200_000; i++) {
            Instant t =
                    Instant.ofEpochSecond(
                            random.nextLong(-62_000_000_000L, 260_000_000_000L),
                            random.nextInt(1_000_000_000));
            assertEquals(iso.format(t), Formats.isoUtc(t), t::toString);
            ZoneId zone = zones.get(random.nextInt(zones.size()));
            assertEquals(
                    local.format(t.atZone(zone)),
                    Formats.venueLocal(t, zone),
                    () -> t + " in " + zone);

            long seconds = random.nextLong(0, 10_000_000);
            assertEquals(
                    String.format(
                            Locale.ROOT,
                            "%02d:%02d:%02d",
                            seconds / 3600,
                            seconds / 60 % 60,
                            seconds % 60),
                    Formats.hms(Duration.ofSeconds(seconds)));

            long octets =
                    random.nextBoolean()
                            ? (long) Math.pow(10, random.nextDouble(0, 18.96))
                            // near a rounding or unit boundary: k x 10^n, give or take a few bytes
                            : Math.max(
                                    0,
                                    random.nextInt(1, 1000)
                                                    * (long) Math.pow(10, random.nextInt(0, 16))
                                            + random.nextInt(-6, 7));
            assertEquals(
                    siBytesByDefinition(octets), Formats.siBytes(octets), () -> octets + " bytes");
        }
    }

    /** The smallest unit in which the size, rounded half up to two decimals, is below 1000. */
    private static String siBytesByDefinition(long octets) {
        if (octets < 1000) {
            return octets + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        for (int unit = 0; ; unit++) {
            BigDecimal value =
                    new BigDecimal(octets)
                            .movePointLeft(3 * (unit + 1))
                            .setScale(2, RoundingMode.HALF_UP);
            if (value.compareTo(BigDecimal.valueOf(1000)) < 0 || unit == units.length - 1) {
                return value.toPlainString() + " " + units[unit];
            }
        }
    }
}
