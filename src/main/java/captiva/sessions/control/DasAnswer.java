package captiva.sessions.control;

import io.micronaut.core.annotation.Nullable;

/**
 * How a Dynamic Authorization Server answered, after {@code attempts} sends of the same request.
 */
sealed interface DasAnswer {

    int attempts();

    /** Disconnect-ACK or CoA-ACK: the NAS did it. */
    record Ack(int attempts) implements DasAnswer {}

    /** Disconnect-NAK or CoA-NAK, with the RFC 5176 s3.5 Error-Cause when the NAS gave one. */
    record Nak(int attempts, @Nullable Integer errorCause) implements DasAnswer {}

    /** No authentic answer to any attempt. */
    record Timeout(int attempts) implements DasAnswer {}
}
