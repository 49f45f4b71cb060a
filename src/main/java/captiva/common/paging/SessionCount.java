package captiva.common.paging;

import io.micronaut.serde.annotation.Serdeable;

@Serdeable
public record SessionCount(long count) {
}
