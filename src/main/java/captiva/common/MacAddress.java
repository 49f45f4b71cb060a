package captiva.common;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A device MAC address in any of the spellings that equipment and people use, kept as {@code
 * 14:2d:27:e7:40:2b}.
 */
public final class MacAddress {

    private static final Pattern SPELLINGS =
            Pattern.compile(
                    "(?i)[0-9a-f]{2}([:-])[0-9a-f]{2}(\\1[0-9a-f]{2}){4}" // 14:2d:27:e7:40:2b,
                            // 14-2D-27-E7-40-2B
                            + "|[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}" // 142d.27e7.402b (Cisco)
                            + "|[0-9a-f]{12}"); // 142d27e7402b

    private MacAddress() {}

    /** Returns the canonical spelling, or empty when the text is no MAC address. */
    public static Optional<String> parse(String text) {
        if (text == null || text.length() > 17 || !SPELLINGS.matcher(text).matches()) {
            return Optional.empty();
        }
        String hex = text.replaceAll("[:.\\-]", "").toLowerCase(Locale.ROOT);
        StringBuilder canonical = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                canonical.append(':');
            }
            canonical.append(hex, i, i + 2);
        }
        return Optional.of(canonical.toString());
    }
}
