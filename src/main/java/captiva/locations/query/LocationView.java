package captiva.locations.query;

import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * A venue as a read key sees it.
 *
 * @param guestsOnline sessions online at the venue now, as {@code
 *     /sessions/count?location_id=…&online=true} counts them
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record LocationView(String id, String name, String timeZone, long guestsOnline) {}
