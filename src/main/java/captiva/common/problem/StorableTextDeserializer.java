package captiva.common.problem;

import io.micronaut.context.annotation.Primary;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.serde.Decoder;
import io.micronaut.serde.Deserializer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Locale;

/**
 * Reads every JSON string of a request body, refusing text the database would change: a lone UTF-16
 * surrogate ({@code "\ud800"}), which PostgreSQL's UTF-8 would store as {@code ?}, and NUL, which
 * PostgreSQL text cannot hold. The refusal is a 400 naming the field (see {@link
 * FrameworkProblemBodyProvider}), so no value is ever stored other than as it was sent.
 */
@Singleton
@Primary
class StorableTextDeserializer implements Deserializer<String> {

    @Override
    @Nullable
    public String deserialize(
            @NonNull Decoder decoder,
            @NonNull DecoderContext context,
            @NonNull Argument<? super String> type)
            throws IOException {
        if (decoder.decodeNull()) {
            return null;
        }
        String text = decoder.decodeString();
        String reason = unstorable(text);
        if (reason != null) {
            throw ApiProblem.InvalidParameters.of(
                    type.getName()
                            .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                            .toLowerCase(Locale.ROOT),
                    reason);
        }
        return text;
    }

    @Override
    public boolean allowNull() {
        return true;
    }

    /** Why PostgreSQL could not store the text as it is, or null when it can. */
    @Nullable
    static String unstorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "must not contain NUL (U+0000)";
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must not contain a lone UTF-16 surrogate (\\u"
                        + Integer.toHexString(c)
                        + "), which is no character";
            }
        }
        return null;
    }
}
