package captiva.common.paging;

import io.micronaut.serde.annotation.Serdeable;

/** The answer of every count endpoint. */
@Serdeable
public record Count(long count) {}
