package captiva.common.http;

import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.Zstd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The content codings a response may be compressed with: only the standard ones every HTTP client
 * decodes (gzip, deflate, and br and zstd when their native encoders are present). Netty can also
 * write {@code snappy}, and Micronaut picks it for {@code Accept-Encoding: *}, which no HTTP client
 * can read; so an {@code Accept-Encoding} is rewritten to name only codings from this list before
 * Micronaut reads it.
 */
final class ContentCodings {

    private static final List<String> SERVED = served();

    private ContentCodings() {}

    /**
     * The header rewritten: each served coding with the weight the client gave it (or gave {@code
     * *}), anything else left out; empty when the client accepts no served coding.
     */
    static String acceptable(List<String> acceptEncodings) {
        Map<String, String> weights = new LinkedHashMap<>();
        String anyWeight = null;
        for (String header : acceptEncodings) {
            for (String element : header.split(",")) {
                String[] parts = element.trim().split(";", 2);
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                String weight = parts.length > 1 ? weight(parts[1]) : "1";
                if (coding.equals("*")) {
                    anyWeight = weight;
                } else if (coding.equals("x-gzip")) {
                    weights.putIfAbsent("gzip", weight); // RFC 9110 8.4.1.3: the same coding
                } else if (SERVED.contains(coding)) {
                    weights.put(coding, weight);
                }
            }
        }
        if (anyWeight != null) {
            for (String coding : SERVED) {
                weights.putIfAbsent(coding, anyWeight);
            }
        }
        List<String> elements = new ArrayList<>();
        weights.forEach((coding, weight) -> elements.add(coding + ";q=" + weight));
        return String.join(", ", elements);
    }

    /**
     * The q value as a plain decimal; anything unreadable counts as 0 (not acceptable), as
     * Micronaut reads it.
     */
    private static String weight(String parameters) {
        String trimmed = parameters.trim();
        if (trimmed.startsWith("q=") || trimmed.startsWith("Q=")) {
            try {
                float q = Float.parseFloat(trimmed.substring(2).trim());
                return q >= 0 && q <= 1 ? Float.toString(q) : "0";
            } catch (NumberFormatException e) {
                return "0";
            }
        }
        return "1";
    }

    private static List<String> served() {
        List<String> codings = new ArrayList<>();
        if (Brotli.isAvailable()) {
            codings.add("br");
        }
        if (Zstd.isAvailable()) {
            codings.add("zstd");
        }
        codings.add("gzip");
        codings.add("deflate");
        return List.copyOf(codings);
    }
}
