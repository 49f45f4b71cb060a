package captiva.common.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * An RFC 9457 problem document, the body of every error answer.
 *
 * @param errors one entry per bad parameter or field, so a client can fix them all at once
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        String type,
        String title,
        int status,
        @Nullable String detail,
        @Nullable List<InvalidParam> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One bad input: the parameter or JSON pointer that was wrong, and why. */
    @Serdeable
    public record InvalidParam(String name, String reason) {}
}
