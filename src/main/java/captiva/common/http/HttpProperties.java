package captiva.common.http;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;

/**
 * @param headerTimeout how long a client may take to send a request's head (request line and
 *     headers), counted from its first byte, or from the connection's opening for the first
 *     request; a client too slow is answered 408 and disconnected, so that a few trickling
 *     connections cannot hold the server's connections open
 * @param publicBaseUrl where clients reach the service ({@code https://api.example.com}); links in
 *     answers are absolute on it. Unset, links are relative ({@code /sessions?page=2}). Never taken
 *     from the request (Host, X-Forwarded-*, Forwarded): anyone can send those, and a link built
 *     from them points wherever the sender wants.
 */
@ConfigurationProperties("captiva.http")
public record HttpProperties(@NotNull Duration headerTimeout, @Nullable URI publicBaseUrl) {}
