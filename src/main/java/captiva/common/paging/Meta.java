package captiva.common.paging;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * Where a page sits in the whole answer. {@code from} and {@code to} are 1-based positions of the
 * first and last row, null on an empty page.
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record Meta(
        int currentPage, @Nullable Long from, String path, int perPage, @Nullable Long to) {}
