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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Computes the statistics of the sessions that GET /sessions would list, for GET /sessions/statistics. */
@Singleton
public class SessionStatistics {

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT);

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final Clock clock;
    private final SessionProperties sessions;
    private final Duration queryTimeout;

    public SessionStatistics(JdbcOperations jdbc, OpaqueIds ids, Clock clock, SessionProperties sessions,
                             @Value("${captiva.statistics.query-timeout}") Duration queryTimeout) {
        if (queryTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("captiva.statistics.query-timeout must be at least 1s (JDBC counts whole seconds)");
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
    public StatisticsReport report(TenantScope scope, SessionFilter filter, @Nullable GroupBy groupBy) {
        String groupName = groupBy == null ? null : groupBy.parameterValue();
        Optional<ZoneId> zone = jdbc.execute(connection -> SessionSelection.zoneOf(connection, scope, filter));
        if (zone.isEmpty()) {
            return new StatisticsReport(groupName, Statistics.NONE, List.of());
        }
        // Whole microseconds, as PostgreSQL stores them, so a duration is the same in SQL and in Java.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant cutoff = now.minus(sessions.onlineTimeout());
        Instant periodStart = filter.startTime() == null ? null : filter.startTime().from(zone.get());
        Long[] keyLocations = scope.locationIds() == null ? null : scope.locationIds().toArray(Long[]::new);

        Statement statement = rollupsServe(filter, groupBy)
                ? throughRollups(scope, filter, periodStart, filter.endTime() == null ? null : filter.endTime().until(zone.get()))
                : SessionSelection.matching(StatisticsQueries.DIRECT + StatisticsQueries.BASE, scope, filter, zone.get(), cutoff);
        statement.add(StatisticsQueries.TIMED, cutoff, cutoff, now, periodStart);
        // Hours are on the clock of the zone date-only filters use, even when no date was given.
        ZoneId hourZone = groupBy != GroupBy.HOUR ? zone.get()
                : jdbc.execute(c -> VenueZones.ofDays(c, scope.tenantId(), filter.locationId())).orElse(zone.get());
        String zoneId = hourZone.getId();
        if (groupBy == GroupBy.LOCATION) {
            statement.add(StatisticsQueries.LOCATION_BUCKET, periodStart);
        } else if (groupBy == GroupBy.DAY) {
            statement.add(StatisticsQueries.DAY_BUCKET, periodStart);
        } else if (groupBy == GroupBy.HOUR) {
            statement.add(StatisticsQueries.HOUR_BUCKET, zoneId, zoneId, periodStart, zoneId);
        }
        statement.add(StatisticsQueries.ROLLED_BUCKETS, periodStart);
        if (groupBy == GroupBy.LOCATION) {
            statement.add(StatisticsQueries.ROLLED_LOCATION_BUCKET, periodStart);
        } else if (groupBy == GroupBy.DAY) {
            statement.add(StatisticsQueries.ROLLED_DAY_BUCKET, periodStart);
        }
        statement.add(StatisticsQueries.AGGREGATE, scope.tenantId(), keyLocations, keyLocations,
                scope.tenantId(), keyLocations, keyLocations);

        Statistics total = Statistics.NONE;
        List<StatisticsReport.Group> groups = new ArrayList<>();
        List<Object[]> rows = jdbc.execute(connection -> {
            List<Object[]> found = new ArrayList<>();
            try (PreparedStatement st = statement.prepare(connection)) {
                st.setQueryTimeout((int) queryTimeout.toSeconds());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        found.add(new Object[] {rs.getString("bucket"), counts(rs)});
                    }
                }
            }
            return found;
        });
        Map<Long, String> venueNames = groupBy == GroupBy.LOCATION ? venueNames(scope, rows) : Map.of();
        for (Object[] row : rows) {
            String bucket = (String) row[0];
            Statistics statistics = Statistics.of((Statistics.Counts) row[1]);
            if (bucket.isEmpty()) {
                total = statistics;
            } else {
                String venueName = groupBy == GroupBy.LOCATION ? venueNames.get(Long.parseLong(bucket)) : null;
                groups.add(new StatisticsReport.Group(groupName(groupBy, bucket, hourZone), venueName, statistics));
            }
        }
        return new StatisticsReport(groupName, total, groups);
    }

    /** The name of each venue that has a location group (the buckets are location row ids). */
    private Map<Long, String> venueNames(TenantScope scope, List<Object[]> rows) {
        Long[] locations = rows.stream().map(r -> (String) r[0]).filter(b -> !b.isEmpty()).map(Long::valueOf).toArray(Long[]::new);
        return jdbc.execute(connection -> {
            Map<Long, String> names = new HashMap<>();
            try (PreparedStatement st = connection.prepareStatement(StatisticsQueries.LOCATION_NAMES)) {
                st.setLong(1, scope.tenantId());
                st.setArray(2, connection.createArrayOf("bigint", locations));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        names.put(rs.getLong("id"), rs.getString("name"));
                    }
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
        return groupBy != GroupBy.HOUR && filter.guestId() == null && filter.guestDeviceMac() == null
                && filter.yasId() == null && filter.online() == null;
    }

    /**
     * The selection as whole venue-days from the rollups plus the sessions of the rest: venue-days
     * changed since their rollup, venue-days the filter cuts, and the open sessions.
     *
     * @param from  sessions started at or after (null: any)
     * @param until sessions ended before (null: any, open ones too)
     */
    private static Statement throughRollups(TenantScope scope, SessionFilter filter,
                                                           @Nullable Instant from, @Nullable Instant until) {
        long tenant = scope.tenantId();
        Statement statement = new Statement(StatisticsQueries.ROLLUP_LOCATIONS, tenant);
        if (scope.locationIds() != null) {
            statement.add(StatisticsQueries.LOCATION_IN, (Object) scope.locationIds().toArray(Long[]::new));
        }
        if (filter.locationId() != null) {
            statement.add(StatisticsQueries.LOCATION_IS, filter.locationId());
        }
        statement.add(StatisticsQueries.ROLLUP_ROWS, tenant);
        optionally(statement, from, StatisticsQueries.ROWS_STARTED_FROM, 2);
        optionally(statement, until, StatisticsQueries.ROWS_STARTED_BEFORE, 2);
        statement.add(StatisticsQueries.DIRTY_DAYS, tenant);
        optionally(statement, from, StatisticsQueries.DIRTY_FROM, 1);
        optionally(statement, until, StatisticsQueries.DIRTY_BEFORE, 1);
        statement.add(StatisticsQueries.ROLLED);
        optionally(statement, from, StatisticsQueries.ROLLED_FROM, 1);
        optionally(statement, until, StatisticsQueries.ROLLED_ENDED_BEFORE, 1);
        statement.add(StatisticsQueries.UNROLLED_SESSIONS, tenant);
        optionally(statement, from, StatisticsQueries.SESSIONS_STARTED_FROM, 1);
        optionally(statement, until, StatisticsQueries.SESSIONS_ENDED_BEFORE, 2);
        if (until == null) {
            statement.add(StatisticsQueries.OPEN_SESSIONS, tenant);
            optionally(statement, from, StatisticsQueries.SESSIONS_STARTED_FROM, 1);
        }
        return statement;
    }

    /** Adds a fragment that binds the same time {@code times} times, when there is a time. */
    private static void optionally(Statement statement, @Nullable Instant time, String fragment, int times) {
        if (time != null) {
            statement.add(fragment, Collections.nCopies(times, time).toArray());
        }
    }

    private static Statistics.Counts counts(ResultSet rs) throws SQLException {
        return new Statistics.Counts(rs.getLong("sessions"), rs.getLong("unique_guests"), rs.getLong("unique_devices"),
                rs.getLong("returning_guests"), rs.getLong("total_duration_seconds"),
                rs.getObject("median_duration_seconds", Long.class), rs.getLong("downloaded_bytes"),
                rs.getLong("uploaded_bytes"), rs.getLong("peak_guests_online"), rs.getLong("guests_online_now"));
    }

    /** The public name of a bucket: an opaque location id, the day as is, an hour with the selection zone's offset then. */
    private String groupName(GroupBy groupBy, String bucket, ZoneId zone) {
        return switch (groupBy) {
            case LOCATION -> ids.encode(OpaqueIds.Kind.LOCATION, Long.parseLong(bucket));
            case DAY -> bucket;
            case HOUR -> Instant.ofEpochSecond(Long.parseLong(bucket)).atZone(zone).format(HOUR);
        };
    }
}
