package captiva.common.format;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The value formats of the reference API, in one place. Written out by hand rather than with
 * String.format or DateTimeFormatter: they run several times per listed session, and those were a
 * tenth of the server's CPU for a page of GET /sessions (BENCHMARKS.md).
 */
public final class Formats {

    private static final DateTimeFormatter ISO_UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter VENUE_LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd h:mm a", Locale.US);
    private static final String[] SI_UNITS = {"kB", "MB", "GB", "TB", "PB", "EB"};

    private Formats() {}

    /** {@code 2017-01-05T06:50:55+00:00} */
    public static String isoUtc(Instant instant) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        if (t.getYear() < 1000 || t.getYear() > 9999) {
            return ISO_UTC.format(instant);
        }
        return clock(
                        date(new StringBuilder(25), t).append('T'),
                        t.getHour(),
                        t.getMinute(),
                        t.getSecond())
                .append("+00:00")
                .toString();
    }

    /** {@code 2017-01-05 9:50 AM}, in the venue's time zone. */
    public static String venueLocal(Instant instant, ZoneId zone) {
        LocalDateTime t = LocalDateTime.ofInstant(instant, zone);
        if (t.getYear() < 1000 || t.getYear() > 9999) {
            return VENUE_LOCAL.format(t);
        }
        int hour = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        StringBuilder text = date(new StringBuilder(19), t).append(' ').append(hour).append(':');
        return twoDigits(text, t.getMinute()).append(t.getHour() < 12 ? " AM" : " PM").toString();
    }

    /** {@code HH:MM:SS}; hours keep counting past 99. */
    public static String hms(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        return clock(
                        new StringBuilder(12),
                        seconds / 3600,
                        (int) (seconds / 60 % 60),
                        (int) (seconds % 60))
                .toString();
    }

    /**
     * SI units with two decimals, rounded half up: {@code 3.34 MB}, {@code 900.58 kB}; below a
     * kilobyte, whole bytes. In integers, so that no binary fraction decides a rounding.
     */
    public static String siBytes(long octets) {
        if (octets < 1000) {
            return octets + " B";
        }
        int unit = 0;
        long hundredth = 10; // bytes in a hundredth of the unit
        long hundredths = roundedHalfUp(octets, hundredth);
        // Choose the unit after rounding, so 999,999 bytes reads 1.00 MB and not 1000.00 kB.
        while (hundredths >= 100_000 && unit < SI_UNITS.length - 1) {
            unit++;
            hundredth *= 1000;
            hundredths = roundedHalfUp(octets, hundredth);
        }
        StringBuilder text = new StringBuilder(12).append(hundredths / 100).append('.');
        return twoDigits(text, (int) (hundredths % 100))
                .append(' ')
                .append(SI_UNITS[unit])
                .toString();
    }

    private static long roundedHalfUp(long dividend, long divisor) {
        return dividend / divisor + (dividend % divisor >= divisor / 2 ? 1 : 0);
    }

    private static StringBuilder date(StringBuilder text, LocalDateTime t) {
        text.append(t.getYear()).append('-');
        return twoDigits(twoDigits(text, t.getMonthValue()).append('-'), t.getDayOfMonth());
    }

    /** {@code HH:MM:SS}, hours at least two digits. */
    private static StringBuilder clock(StringBuilder text, long hours, int minutes, int seconds) {
        if (hours < 10) {
            text.append('0');
        }
        text.append(hours).append(':');
        return twoDigits(twoDigits(text, minutes).append(':'), seconds);
    }

    private static StringBuilder twoDigits(StringBuilder text, int value) {
        return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}
