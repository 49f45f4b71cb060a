package captiva.sessions.query;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

import java.util.List;

/** One page of GET /sessions: the sessions, links that keep every filter, and where the page sits. */
@Serdeable(naming = SnakeCaseStrategy.class)
public record SessionPage(List<SessionView> data, Links links, Meta meta) {

    /** {@code last} is always null: counting every match to find it would cost as much as the count endpoint. */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record Links(String first, @Nullable String last, @Nullable String prev, @Nullable String next) {
    }

    /** {@code from} and {@code to} are 1-based positions of the first and last row, null on an empty page. */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record Meta(int currentPage, @Nullable Long from, String path, int perPage, @Nullable Long to) {
    }
}
