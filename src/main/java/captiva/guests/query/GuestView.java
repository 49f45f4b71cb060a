package captiva.guests.query;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * A guest with the numbers of the sessions the key may see: all of the tenant's, or only those at
 * the key's locations (and at {@code location_id} when given). Sizes read as in the session fields.
 *
 * @param firstSeen when the first of those sessions started; null when there is none
 * @param lastSeen the last time any of them was heard from; null when there is none
 * @param online whether one of them is online now
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record GuestView(
        String id,
        @Nullable String username,
        @Nullable String name,
        @Nullable String email,
        @Nullable String yasId,
        @Nullable String firstSeen,
        @Nullable String lastSeen,
        long sessions,
        boolean online,
        String downloadedData,
        String uploadedData,
        long downloadedBytes,
        long uploadedBytes) {}
