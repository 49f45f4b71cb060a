package captiva.common.paging;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * The links of a paged answer. {@code last} is always null: counting every match to find it would
 * cost as much as the count endpoint.
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record Links(
        String first, @Nullable String last, @Nullable String prev, @Nullable String next) {}
