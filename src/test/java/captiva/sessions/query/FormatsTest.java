package captiva.sessions.query;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("reference value formats")
class FormatsTest {

    @ParameterizedTest
    @CsvSource({"0, 0 B", "999, 999 B", "1000, 1.00 kB", "900580, 900.58 kB", "999994, 999.99 kB", "999999, 1.00 MB",
            "3340000, 3.34 MB", "1500000000, 1.50 GB", "9223372036854775807, 9.22 EB"})
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
        assertEquals("2017-01-04 10:50 PM", Formats.venueLocal(start, ZoneId.of("America/Los_Angeles")));
    }
}
