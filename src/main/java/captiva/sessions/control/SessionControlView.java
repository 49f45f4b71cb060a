package captiva.sessions.control;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.time.Instant;

/**
 * One Disconnect- or CoA-Request sent for a session, and how the NAS answered: the answer of {@code
 * POST /sessions/{id}/disconnect} and {@code /coa}, and an entry of the session's control history.
 *
 * @param action {@code disconnect} or {@code coa}
 * @param outcome {@code ack}, {@code nak} or {@code timeout}
 * @param errorCause the NAK's RFC 5176 Error-Cause (e.g. 503 Session-Context-Not-Found), or null
 * @param sessionTimeout the Session-Timeout a CoA asked for, in seconds; null for a disconnect
 * @param apiKeyId the key that asked
 * @param answeredAt when the answer came; null after a timeout
 */
@Serdeable(naming = SnakeCaseStrategy.class)
record SessionControlView(
        String sessionId,
        String action,
        String outcome,
        @Nullable Integer errorCause,
        int attempts,
        @Nullable Long sessionTimeout,
        String apiKeyId,
        Instant requestedAt,
        @Nullable Instant answeredAt) {

    static String outcome(DasAnswer answer) {
        if (answer instanceof DasAnswer.Ack) {
            return "ack";
        }
        return answer instanceof DasAnswer.Nak ? "nak" : "timeout";
    }

    /** A session's control history, newest first. */
    @Serdeable
    record History(java.util.List<SessionControlView> data) {}
}
