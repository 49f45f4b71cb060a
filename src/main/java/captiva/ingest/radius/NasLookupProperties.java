package captiva.ingest.radius;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;

/**
 * How many NAS lookups packets from unknown senders may cost the database, so that a flood from an
 * unknown source (random NAS-Identifiers, spoofed addresses) cannot starve registered NAS. Each is
 * a token bucket refilled per second, with a second's worth as burst; see {@link NasLookupBudget}.
 *
 * @param perSource lookups per second that one source address may spend
 * @param total lookups per second that all source addresses together may spend
 */
@ConfigurationProperties("captiva.radius.nas-lookups")
public record NasLookupProperties(@Min(1) int perSource, @Min(1) int total) {}
