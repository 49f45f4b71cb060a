package captiva.sessions.query;

import io.micronaut.serde.annotation.Serdeable;

@Serdeable
public record SessionCount(long count) {
}
