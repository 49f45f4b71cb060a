package captiva.common.http;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;

import java.time.Duration;

/**
 * @param headerTimeout how long a client may take to send a request's head (request line and headers),
 *                      counted from its first byte, or from the connection's opening for the first
 *                      request; a client too slow is answered 408 and disconnected, so that a few
 *                      trickling connections cannot hold the server's connections open
 */
@ConfigurationProperties("captiva.http")
public record HttpProperties(@NotNull Duration headerTimeout) {
}
