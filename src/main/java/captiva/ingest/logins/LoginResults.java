package captiva.ingest.logins;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.util.List;

/** The answer to POST /ingest/logins: one result per login, in the order sent. */
@Serdeable(naming = SnakeCaseStrategy.class)
record LoginResults(List<LoginResult> logins) {

    /**
     * @param guestId the guest found or created; null for a login that names no guest and no
     *     username
     * @param linkedSessions sessions already stored that this login changed (a repeated login
     *     changes none)
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    record LoginResult(String loginId, @Nullable String guestId, int linkedSessions) {}
}
