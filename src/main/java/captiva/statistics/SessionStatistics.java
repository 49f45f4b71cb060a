package captiva.statistics;

import captiva.common.OpaqueIds;
import captiva.common.sql.Statement;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import captiva.tenancy.VenueZones;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.ReadOnly;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Computes the statistics of the sessions that GET /sessions would list, for GET
 * /sessions/statistics.
 */
@Singleton
public class SessionStatistics {

    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT);

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final Clock clock;
    private final SessionProperties sessions;
    private final Duration queryTimeout;

    public SessionStatistics(
            JdbcOperations jdbc,
            OpaqueIds ids,
            Clock clock,
            SessionProperties sessions,
            @Value("${captiva.statistics.query-timeout}") Duration queryTimeout) {
        if (queryTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException(
                    "captiva.statistics.query-timeout must be at least 1s (JDBC counts whole seconds)");
        }
        this.jdbc = jdbc;
        this.ids = ids;
        this.clock = clock;
        this.sessions = sessions;
        this.queryTimeout = queryTimeout;
    }

    /**
     * How long the statistics statement may run before the database cancels it. A wide selection
     * must not hold a pooled connection, which accounting needs too, for ever.
     */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    @ReadOnly
    public StatisticsReport report(
            TenantScope scope, SessionFilter filter, @Nullable GroupBy groupBy) {
        String groupName = groupBy == null ? null : groupBy.parameterValue();
        Optional<ZoneId> zone =
                jdbc.execute(connection -> SessionSelection.zoneOf(connection, scope, filter));
        if (zone.isEmpty()) {
            return new StatisticsReport(groupName, Statistics.NONE, List.of());
        }
        // Whole microseconds, as PostgreSQL stores them, so a duration is the same in SQL and in
        // Java.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant cutoff = sessions.onlineCutoff(now);
        Instant from = filter.startTime() == null ? null : filter.startTime().from(zone.get());
        Instant until = filter.endTime() == null ? null : filter.endTime().until(zone.get());
        // Hours are on the clock of the zone date-only filters use, even when no date was given.
        ZoneId hourZone =
                groupBy != GroupBy.HOUR
                        ? zone.get()
                        : jdbc.execute(
                                        c ->
                                                VenueZones.ofDays(
                                                        c, scope.tenantId(), filter.locationId()))
                                .orElse(zone.get());

        Statement statement =
                rollupsServe(filter, groupBy)
                        ? throughRollups(scope, filter, from, until)
                        : SessionSelection.matching(
                                StatisticsQueries.DIRECT + StatisticsQueries.BASE,
                                scope,
                                filter,
                                zone.get(),
                                cutoff);
        statement
                .add(StatisticsQueries.TIMED)
                .add(
                        groupBy == GroupBy.LOCATION
                                ? StatisticsQueries.LOCATION_BUCKET
                                : groupBy == GroupBy.DAY
                                        ? StatisticsQueries.DAY_BUCKET
                                        : groupBy == GroupBy.HOUR
                                                ? StatisticsQueries.HOUR_BUCKET
                                                : "")
                .add(StatisticsQueries.ROLLED_BUCKETS)
                .add(
                        groupBy == GroupBy.LOCATION
                                ? StatisticsQueries.ROLLED_LOCATION_BUCKET
                                : groupBy == GroupBy.DAY ? StatisticsQueries.ROLLED_DAY_BUCKET : "")
                .add(StatisticsQueries.AGGREGATE)
                .bind("tenant", scope.tenantId())
                .bind(
                        "keyLocations",
                        scope.locationIds() == null
                                ? null
                                : scope.locationIds().toArray(Long[]::new))
                .bind("location", filter.locationId())
                .bind("from", from)
                .bind("until", until)
                .bind("periodStart", from)
                .bind("now", now)
                .bind("cutoff", cutoff)
                .bind("hourZone", hourZone.getId());
        List<Bucket> buckets =
                jdbc.execute(
                        connection -> {
                            List<Bucket> found = new ArrayList<>();
                            try (PreparedStatement st = statement.prepare(connection)) {
                                st.setQueryTimeout((int) queryTimeout.toSeconds());
                                try (ResultSet rs = st.executeQuery()) {
                                    while (rs.next()) {
                                        found.add(new Bucket(rs.getString("bucket"), counts(rs)));
                                    }
                                }
                            }
                            return found;
                        });

        Statistics total = Statistics.NONE;
        List<StatisticsReport.Group> groups = new ArrayList<>();
        Map<Long, String> venueNames =
                groupBy == GroupBy.LOCATION ? venueNames(scope, buckets) : Map.of();
        for (Bucket bucket : buckets) {
            Statistics statistics = Statistics.of(bucket.counts());
            if (bucket.isWholeSelection()) {
                total = statistics;
            } else {
                String venueName =
                        groupBy == GroupBy.LOCATION
                                ? venueNames.get(Long.parseLong(bucket.name()))
                                : null;
                groups.add(
                        new StatisticsReport.Group(
                                groupName(groupBy, bucket.name(), hourZone),
                                venueName,
                                statistics));
            }
        }
        return new StatisticsReport(groupName, total, groups);
    }

    /**
     * One row of the statement: the figures of the whole selection (the bucket named {@code ''}) or
     * of one group (a location row id, a day, an hour's epoch second).
     */
    private record Bucket(String name, Statistics.Counts counts) {
        boolean isWholeSelection() {
            return name.isEmpty();
        }
    }

    /** The name of each venue that has a location group (the buckets are location row ids). */
    private Map<Long, String> venueNames(TenantScope scope, List<Bucket> buckets) {
        Long[] locations =
                buckets.stream()
                        .filter(b -> !b.isWholeSelection())
                        .map(b -> Long.valueOf(b.name()))
                        .toArray(Long[]::new);
        Statement statement =
                new Statement(StatisticsQueries.LOCATION_NAMES)
                        .bind("tenant", scope.tenantId())
                        .bind("locations", locations);
        return jdbc.execute(
                connection -> {
                    Map<Long, String> names = new HashMap<>();
                    try (PreparedStatement st = statement.prepare(connection);
                            ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            names.put(rs.getLong("id"), rs.getString("name"));
                        }
                    }
                    return names;
                });
    }

    /**
     * Rollups are per venue and venue-local day, over the filters that pick venues and times: a
     * statement filtered by guest, device or online state, or grouped by hour, reads the sessions.
     */
    private boolean rollupsServe(SessionFilter filter, @Nullable GroupBy groupBy) {
        return groupBy != GroupBy.HOUR
                && filter.guestId() == null
                && filter.guestDeviceMac() == null
                && filter.yasId() == null
                && filter.online() == null;
    }

    /**
     * The selection as whole venue-days from the rollups plus the sessions of the rest: venue-days
     * changed since their rollup, venue-days the filter cuts, and the open sessions.
     *
     * @param from sessions started at or after (null: any)
     * @param until sessions ended before (null: any, open ones too)
     */
    private static Statement throughRollups(
            TenantScope scope,
            SessionFilter filter,
            @Nullable Instant from,
            @Nullable Instant until) {
        return new Statement(StatisticsQueries.ROLLUP_LOCATIONS)
                .add(scope.locationIds() != null ? StatisticsQueries.LOCATION_IN : "")
                .add(filter.locationId() != null ? StatisticsQueries.LOCATION_IS : "")
                .add(StatisticsQueries.ROLLUP_ROWS)
                .add(from != null ? StatisticsQueries.ROWS_STARTED_FROM : "")
                .add(until != null ? StatisticsQueries.ROWS_STARTED_BEFORE : "")
                .add(StatisticsQueries.DIRTY_DAYS)
                .add(from != null ? StatisticsQueries.DIRTY_FROM : "")
                .add(until != null ? StatisticsQueries.DIRTY_BEFORE : "")
                .add(StatisticsQueries.ROLLED)
                .add(from != null ? StatisticsQueries.ROLLED_FROM : "")
                .add(until != null ? StatisticsQueries.ROLLED_ENDED_BEFORE : "")
                .add(StatisticsQueries.UNROLLED_SESSIONS)
                .add(from != null ? StatisticsQueries.SESSIONS_STARTED_FROM : "")
                .add(until != null ? StatisticsQueries.SESSIONS_ENDED_BEFORE : "")
                .add(until == null ? StatisticsQueries.OPEN_SESSIONS : "")
                .add(until == null && from != null ? StatisticsQueries.SESSIONS_STARTED_FROM : "");
    }

    private static Statistics.Counts counts(ResultSet rs) throws SQLException {
        return new Statistics.Counts(
                rs.getLong("sessions"),
                rs.getLong("unique_guests"),
                rs.getLong("unique_devices"),
                rs.getLong("returning_guests"),
                rs.getLong("total_duration_seconds"),
                rs.getObject("median_duration_seconds", Long.class),
                rs.getLong("downloaded_bytes"),
                rs.getLong("uploaded_bytes"),
                rs.getLong("peak_guests_online"),
                rs.getLong("guests_online_now"));
    }

    /**
     * The public name of a bucket: an opaque location id, the day as is, an hour with the selection
     * zone's offset then.
     */
    private String groupName(GroupBy groupBy, String bucket, ZoneId zone) {
        return switch (groupBy) {
            case LOCATION -> ids.encode(OpaqueIds.Kind.LOCATION, Long.parseLong(bucket));
            case DAY -> bucket;
            case HOUR -> Instant.ofEpochSecond(Long.parseLong(bucket)).atZone(zone).format(HOUR);
        };
    }
}
