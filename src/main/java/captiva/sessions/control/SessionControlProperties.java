package captiva.sessions.control;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * How Disconnect- and CoA-Requests are sent. The HTTP caller waits for the outcome, so the worst
 * case, {@code attempts × timeout}, must stay well inside an HTTP client's patience.
 *
 * @param timeout how long to wait for the DAS's answer to one attempt
 * @param attempts how many times the same request is sent before the outcome is a timeout (RFC 5176
 *     s2.3: a retransmission is the same packet, so a DAS that already acted answers it again)
 */
@ConfigurationProperties("captiva.session-control")
public record SessionControlProperties(Duration timeout, @Min(1) @Max(10) int attempts) {}
