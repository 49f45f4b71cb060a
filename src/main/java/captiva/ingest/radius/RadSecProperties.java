package captiva.ingest.radius;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * RadSec (RFC 6614): RADIUS accounting over TLS. It listens only when a certificate is configured.
 * Certificates and keys are PEM files, so that a Kubernetes secret can be mounted as they are.
 *
 * @param port TCP port (2083 by RFC 6614; 0 picks a free one, as tests do)
 * @param certificate PEM file with the service's certificate, then any intermediates
 * @param key PEM file with its private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
 * @param clientCa PEM file with the CA certificates that issue NAS client certificates
 * @param maxConnections connections open at once; one more is closed at once and counted
 * @param idleTimeout a connection that sends nothing for this long is closed (the NAS reconnects)
 * @param readTimeout the TLS handshake, and each packet once its first octet arrived, must be
 *     complete within this, or the connection is closed: a slow sender cannot hold one
 */
@ConfigurationProperties("captiva.radius.radsec")
public record RadSecProperties(
        int port,
        @Nullable String certificate,
        @Nullable String key,
        @Nullable String clientCa,
        @Min(1) int maxConnections,
        Duration idleTimeout,
        Duration readTimeout) {}
