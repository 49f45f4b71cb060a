package captiva.sessions.query;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/** Who held an IP address, and for how long (seconds) in that session. */
@Serdeable(naming = SnakeCaseStrategy.class)
public record IpHolder(
        String ipAddress,
        @Nullable String username,
        @Nullable String name,
        @Nullable String email,
        long duration) {}
