package captiva.statistics;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.util.List;

/**
 * The answer of GET /sessions/statistics: the whole selection, and with {@code group_by} one entry
 * a group that has sessions, in order (location id, day, hour).
 *
 * @param groupBy null when not grouped
 * @param groups empty when not grouped
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record StatisticsReport(@Nullable String groupBy, Statistics total, List<Group> groups) {

    /**
     * One group: {@code group} is a location id, a day ({@code 2024-05-01}, venue-local) or the
     * start of an hour on the clock of the selection's time zone, with its offset then ({@code
     * 2024-10-27T01:00:00+01:00}, so the two 1 a.m. hours of a DST change stay apart).
     *
     * @param locationName the venue's name when grouped by location; null otherwise
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record Group(String group, @Nullable String locationName, Statistics statistics) {}
}
