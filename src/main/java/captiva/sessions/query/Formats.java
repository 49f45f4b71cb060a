package captiva.sessions.query;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The value formats of the reference API, in one place. */
public final class Formats {

    private static final DateTimeFormatter ISO_UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter VENUE_LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd h:mm a", Locale.US);
    private static final String[] SI_UNITS = {"kB", "MB", "GB", "TB", "PB", "EB"};

    private Formats() {
    }

    /** {@code 2017-01-05T06:50:55+00:00} */
    public static String isoUtc(Instant instant) {
        return ISO_UTC.format(instant);
    }

    /** {@code 2017-01-05 9:50 AM}, in the venue's time zone. */
    static String venueLocal(Instant instant, ZoneId zone) {
        return VENUE_LOCAL.format(instant.atZone(zone));
    }

    /** {@code HH:MM:SS}; hours keep counting past 99. */
    public static String hms(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        return String.format(Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /** SI units with two decimals: {@code 3.34 MB}, {@code 900.58 kB}; below a kilobyte, whole bytes. */
    public static String siBytes(long octets) {
        if (octets < 1000) {
            return octets + " B";
        }
        double value = octets / 1000.0;
        int unit = 0;
        // Choose the unit after rounding, so 999,999 bytes reads 1.00 MB and not 1000.00 kB.
        while (value >= 999.995 && unit < SI_UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", value, SI_UNITS[unit]);
    }
}
