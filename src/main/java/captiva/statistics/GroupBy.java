package captiva.statistics;

import java.util.Locale;
import java.util.Optional;

/**
 * How GET /sessions/statistics splits the selection: by venue, or by the venue-local day or hour a
 * session started in.
 */
public enum GroupBy {
    LOCATION,
    DAY,
    HOUR;

    public static Optional<GroupBy> parse(String text) {
        for (GroupBy g : values()) {
            if (g.name().toLowerCase(Locale.ROOT).equals(text)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    String parameterValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
