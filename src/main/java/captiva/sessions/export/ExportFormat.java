package captiva.sessions.export;

import io.micronaut.core.annotation.Nullable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The formats of GET /sessions/export, chosen by the Accept header. With no Accept, or one that
 * rates both the same (such as {@code *}{@code /*}), CSV wins: it is what BI tools import first.
 */
enum ExportFormat {
    CSV("text/csv", "csv"),
    NDJSON("application/x-ndjson", "ndjson");

    static final List<String> MEDIA_TYPES = Arrays.stream(values()).map(f -> f.mediaType).toList();

    final String mediaType;
    final String extension;

    ExportFormat(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    /**
     * The format the client rates highest (RFC 9110 q-values), or empty when it accepts neither.
     */
    static Optional<ExportFormat> negotiate(@Nullable String accept) {
        if (accept == null || accept.isBlank()) {
            return Optional.of(CSV);
        }
        List<Range> ranges =
                Arrays.stream(accept.split(","))
                        .map(Range::parse)
                        .flatMap(Optional::stream)
                        .toList();
        return Arrays.stream(values())
                .filter(format -> format.quality(ranges) > 0)
                // max keeps the first of equals, and values() lists the preferred format first
                .max(Comparator.comparingDouble(format -> format.quality(ranges)));
    }

    /** The q of the most specific range that matches this format (text/csv over text/* over *}{@code /*); 0 if none. */
    private double quality(List<Range> ranges) {
        String[] typeAndSubtype = mediaType.split("/");
        return ranges.stream()
                .filter(r -> r.matches(typeAndSubtype[0], typeAndSubtype[1]))
                .max(Comparator.comparingInt(Range::specificity))
                .map(Range::quality)
                .orElse(0.0);
    }

    private record Range(String type, String subtype, double quality) {

        static Optional<Range> parse(String text) {
            String[] parts = text.split(";");
            String[] typeAndSubtype = parts[0].strip().toLowerCase(Locale.ROOT).split("/", -1);
            if (typeAndSubtype.length != 2
                    || typeAndSubtype[0].isEmpty()
                    || typeAndSubtype[1].isEmpty()) {
                return Optional.empty(); // not a media range: ignored, as RFC 9110 allows
            }
            double quality = 1;
            for (int i = 1; i < parts.length; i++) {
                String[] parameter = parts[i].strip().split("=", 2);
                if (parameter.length == 2 && parameter[0].strip().equalsIgnoreCase("q")) {
                    try {
                        quality = Double.parseDouble(parameter[1].strip());
                    } catch (NumberFormatException notANumber) {
                        return Optional.empty();
                    }
                }
            }
            return quality >= 0 && quality <= 1
                    ? Optional.of(new Range(typeAndSubtype[0], typeAndSubtype[1], quality))
                    : Optional.empty();
        }

        boolean matches(String mediaType, String mediaSubtype) {
            return (type.equals("*") || type.equals(mediaType))
                    && (subtype.equals("*") || subtype.equals(mediaSubtype));
        }

        int specificity() {
            return (type.equals("*") ? 0 : 1) + (subtype.equals("*") ? 0 : 1);
        }
    }
}
