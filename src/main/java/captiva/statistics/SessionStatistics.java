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
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.ReadOnly;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.roaringbitmap.buffer.MutableRoaringBitmap;

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

    /**
     * The statistics of the selection. Repeatable read: the first visits of its guests are read by
     * a second statement, which must see what the first saw.
     */
    @ReadOnly(isolation = TransactionDefinition.Isolation.REPEATABLE_READ)
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
                statement(scope, filter, groupBy, zone.get(), from, until, now, cutoff, hourZone);
        StatisticsCombination combination =
                jdbc.execute(
                        connection -> {
                            noJit(connection);
                            StatisticsCombination combined = new StatisticsCombination();
                            try (PreparedStatement st = statement.prepare(connection)) {
                                st.setQueryTimeout((int) queryTimeout.toSeconds());
                                st.setFetchSize(FETCH_SIZE);
                                try (ResultSet rs = st.executeQuery()) {
                                    while (rs.next()) {
                                        add(combined, rs);
                                    }
                                }
                            }
                            readFirstVisits(connection, combined, scope, groupBy, from, until);
                            return combined;
                        });

        Statistics.Counts totalCounts = combination.total();
        if (totalCounts.sessions() == 0) {
            return new StatisticsReport(groupName, Statistics.NONE, List.of());
        }
        Map<String, Statistics.Counts> byGroup = combination.groups();
        List<String> names = new ArrayList<>(byGroup.keySet());
        names.sort(
                groupBy == GroupBy.DAY
                        ? Comparator.naturalOrder()
                        : Comparator.comparingLong(Long::parseLong));
        Map<Long, String> venueNames =
                groupBy == GroupBy.LOCATION ? venueNames(scope, names) : Map.of();
        List<StatisticsReport.Group> groups = new ArrayList<>();
        for (String name : names) {
            String venueName =
                    groupBy == GroupBy.LOCATION ? venueNames.get(Long.parseLong(name)) : null;
            groups.add(
                    new StatisticsReport.Group(
                            groupName(groupBy, name, hourZone),
                            venueName,
                            Statistics.of(byGroup.get(name))));
        }
        return new StatisticsReport(groupName, Statistics.of(totalCounts), groups);
    }

    /**
     * The statement of the selection's sessions and rollup rows ({@link StatisticsQueries#OUTPUT}),
     * bound: {@code from} and {@code until} are the filter's bounds in the selection's zone, {@code
     * hourZone} the clock of hour groups.
     */
    static Statement statement(
            TenantScope scope,
            SessionFilter filter,
            @Nullable GroupBy groupBy,
            ZoneId zone,
            @Nullable Instant from,
            @Nullable Instant until,
            Instant now,
            Instant cutoff,
            ZoneId hourZone) {
        Statement statement =
                rollupsServe(filter, groupBy)
                        ? throughRollups(scope, filter, groupBy, from, until)
                        : SessionSelection.matching(
                                StatisticsQueries.DIRECT + StatisticsQueries.BASE,
                                scope,
                                filter,
                                zone,
                                cutoff);
        return statement
                .add(StatisticsQueries.TIMED)
                .add(
                        groupBy == GroupBy.LOCATION
                                ? StatisticsQueries.LOCATION_BUCKET
                                : groupBy == GroupBy.DAY
                                        ? StatisticsQueries.DAY_BUCKET
                                        : groupBy == GroupBy.HOUR
                                                ? StatisticsQueries.HOUR_BUCKET
                                                : "")
                .add(
                        StatisticsQueries.output(
                                groupBy == GroupBy.LOCATION
                                        ? StatisticsQueries.ROLLED_GROUP_LOCATION
                                        : groupBy == GroupBy.DAY
                                                ? StatisticsQueries.ROLLED_GROUP_DAY
                                                : StatisticsQueries.ROLLED_GROUP_NONE))
                .bind("tenant", scope.tenantId())
                .bind("keyLocations", keyLocations(scope))
                .bind("location", filter.locationId())
                .bind("from", from)
                .bind("until", until)
                .bind("periodStart", from)
                .bind("now", now)
                .bind("cutoff", cutoff)
                .bind("hourZone", hourZone.getId())
                .bind("grouped", groupBy != null);
    }

    /**
     * Reads into the combination the first visits that its returning figures need, on the snapshot
     * of the statement that filled it ({@link StatisticsQueries#firstVisits}).
     */
    private void readFirstVisits(
            Connection connection,
            StatisticsCombination combined,
            TenantScope scope,
            @Nullable GroupBy groupBy,
            @Nullable Instant from,
            @Nullable Instant until)
            throws SQLException {
        int[] guests = combined.guestsWithAPeriod();
        if (guests.length == 0 && !combined.hasUnnumberedGuestsWithAPeriod()) {
            return;
        }
        Long[] keyLocations = keyLocations(scope);
        int[] ofSessions = combined.guestsOfSessionsWithAPeriod();
        boolean since =
                keyLocations == null
                        && from != null
                        && fewFirstSeenSince(
                                connection,
                                scope.tenantId(),
                                from,
                                until,
                                guests.length - ofSessions.length);
        String entries;
        Instant firstBefore;
        int[] asked;
        if (since) {
            entries = StatisticsQueries.EARLIEST_SINCE;
            firstBefore = until;
            asked = ofSessions;
        } else {
            // Every period starts before the filter's end, if any; without groups of their own, at
            // the filter's start.
            firstBefore = groupBy == GroupBy.DAY || groupBy == GroupBy.HOUR ? until : from;
            boolean oneRange =
                    firstBefore != null
                            && entriesInOneRange(connection, scope.tenantId(), guests.length);
            entries = entries(keyLocations == null, oneRange);
            asked = guests;
        }
        Statement firstVisits =
                new Statement(StatisticsQueries.firstVisits(entries))
                        .bind("tenant", scope.tenantId())
                        .bind("keyLocations", keyLocations)
                        .bind("ordinals", asked)
                        .bind("since", from)
                        .bind("firstBefore", firstBefore);
        MutableRoaringBitmap known = new MutableRoaringBitmap();
        try (PreparedStatement st = firstVisits.prepare(connection)) {
            st.setQueryTimeout((int) queryTimeout.toSeconds());
            st.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Integer ordinal = rs.getObject("guest_ordinal", Integer.class);
                    if (ordinal != null && rs.getBoolean("exact")) {
                        known.add(ordinal);
                    }
                    Long first = micros(rs.getObject("first_start", OffsetDateTime.class));
                    if (first != null) {
                        combined.firstVisit(rs.getString("guest_key"), ordinal, first);
                    }
                }
            }
        }
        if (since) {
            combined.firstSeenBefore(micros(from), known);
        }
    }

    /**
     * Whether the tenant's guests first seen in the period (from {@code from}, before {@code
     * until}) are at most {@link #SINCE_PER_GUEST} times as many as the guests of rollup rows only:
     * then one range of them costs less than a probe for each of those ({@link
     * StatisticsQueries#EARLIEST_SINCE}; the guests of sessions are probed either way). Counted up
     * to that many only, from the index alone.
     */
    private static boolean fewFirstSeenSince(
            Connection connection,
            long tenantId,
            Instant from,
            @Nullable Instant until,
            int guestsOfRowsOnly)
            throws SQLException {
        long cap = (long) SINCE_PER_GUEST * guestsOfRowsOnly + 1;
        Statement count =
                new Statement(StatisticsQueries.FIRST_SEEN_SINCE)
                        .bind("tenant", tenantId)
                        .bind("since", from)
                        .bind("firstBefore", until)
                        .bind("cap", cap);
        try (PreparedStatement st = count.prepare(connection);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1) < cap;
        }
    }

    /** See {@link #fewFirstSeenSince}. */
    static final int SINCE_PER_GUEST = 2;

    /**
     * No JIT compilation for this transaction's statements: their estimated cost passes
     * PostgreSQL's threshold at a chain's year, and compiling took 90 to 180 ms of each
     * (auto_explain at 1,000,000 sessions) for statements that run about a second.
     */
    private static void noJit(Connection connection) throws SQLException {
        try (java.sql.Statement st = connection.createStatement()) {
            st.execute("SET LOCAL jit = off");
        }
    }

    /**
     * Whether the first visits of so many guests are read as the tenant's entries before the period
     * in one range, rather than by a probe per guest: from {@link #ENTRIES_IN_ONE_RANGE} guests,
     * and only when they are at least {@link #SHARE_IN_ONE_RANGE} of all the tenant's numbered
     * guests. The range reads every guest's entries, so it pays only when most are wanted: at
     * 10,000,000 sessions a chain's year asks for 835,954 of its tenant's 977,544 guests, while a
     * busy venue's month asks for about 20,000 and the range read 1,416,848 entries for them (2.1
     * s, auto_explain, BENCHMARKS.md).
     */
    private static boolean entriesInOneRange(Connection connection, long tenantId, int guests)
            throws SQLException {
        return guests >= ENTRIES_IN_ONE_RANGE
                && guests >= Ordinals.guestsNumbered(connection, tenantId) / SHARE_IN_ONE_RANGE;
    }

    /**
     * How a statement reads the guests' first-visit entries: a key that sees every venue needs each
     * guest's earliest only; one that sees some venues needs each of those venues' entries.
     */
    private static String entries(boolean everyVenue, boolean oneRange) {
        if (everyVenue) {
            return oneRange
                    ? StatisticsQueries.EARLIEST_BEFORE
                    : StatisticsQueries.EARLIEST_OF_GUESTS;
        }
        return oneRange ? StatisticsQueries.ENTRIES_BEFORE : StatisticsQueries.ENTRIES_OF_GUESTS;
    }

    /**
     * Below this many guests, probes: at 1,000,000 sessions a chain's year has about 100,000
     * guests, whose probes took 0.7 to 1.5 s (BENCHMARKS.md), while a busy venue's month has a few
     * thousand.
     */
    static final int ENTRIES_IN_ONE_RANGE = 20_000;

    /** The share of the tenant's guests, as 1 in this many, from which the range is read. */
    static final int SHARE_IN_ONE_RANGE = 8;

    /**
     * Rows fetched at a time: a chain's year is about a hundred thousand rows, and the driver would
     * otherwise hold them all at once.
     */
    private static final int FETCH_SIZE = 2_000;

    /**
     * One row of the statement into the combination, by its kind (see StatisticsQueries.OUTPUT).
     */
    private static void add(StatisticsCombination combined, ResultSet rs) throws SQLException {
        String bucket = rs.getString("bucket");
        switch (rs.getString("kind")) {
            case "r" ->
                    combined.rolled(
                            bucket,
                            micros(rs.getObject("period_start", OffsetDateTime.class)),
                            rs.getLong("sessions"),
                            rs.getLong("total_duration_seconds"),
                            rs.getLong("downloaded_bytes"),
                            rs.getLong("uploaded_bytes"),
                            rs.getBytes("guest_ordinals"),
                            rs.getBytes("device_ordinals"),
                            rs.getBytes("duration_counts"),
                            rs.getBytes("presence"));
            case "s" ->
                    combined.session(
                            bucket,
                            micros(rs.getObject("period_start", OffsetDateTime.class)),
                            rs.getLong("total_duration_seconds"),
                            rs.getLong("downloaded_bytes"),
                            rs.getLong("uploaded_bytes"),
                            rs.getString("guest_key"),
                            rs.getObject("guest_ordinal", Integer.class),
                            rs.getString("mac"),
                            rs.getObject("device_ordinal", Integer.class),
                            rs.getBoolean("online"),
                            micros(rs.getObject("start_time", OffsetDateTime.class)),
                            micros(rs.getObject("effective_end", OffsetDateTime.class)));
            case "p" ->
                    combined.wholePeriodStarts(
                            micros(rs.getObject("period_start", OffsetDateTime.class)));
            default -> throw new IllegalStateException("unknown row kind");
        }
    }

    @Nullable
    private static Long[] keyLocations(TenantScope scope) {
        return scope.locationIds() == null ? null : scope.locationIds().toArray(Long[]::new);
    }

    @Nullable
    private static Long micros(@Nullable OffsetDateTime time) {
        return time == null ? null : micros(time.toInstant());
    }

    private static long micros(Instant instant) {
        return Math.addExact(
                Math.multiplyExact(instant.getEpochSecond(), 1_000_000L),
                instant.getNano() / 1_000);
    }

    /** The name of each venue that has a location group (the buckets are location row ids). */
    private Map<Long, String> venueNames(TenantScope scope, List<String> buckets) {
        Long[] locations = buckets.stream().map(Long::valueOf).toArray(Long[]::new);
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
    private static boolean rollupsServe(SessionFilter filter, @Nullable GroupBy groupBy) {
        return groupBy != GroupBy.HOUR
                && filter.guestId() == null
                && filter.guestDeviceMac() == null
                && filter.yasId() == null
                && filter.online() == null;
    }

    /**
     * The selection as whole venue-days (or venue-months) from the rollups plus the sessions of the
     * rest: venue-days changed since their rollup, venue-days the filter cuts, and the open
     * sessions.
     *
     * @param from sessions started at or after (null: any)
     * @param until sessions ended before (null: any, open ones too)
     */
    private static Statement throughRollups(
            TenantScope scope,
            SessionFilter filter,
            @Nullable GroupBy groupBy,
            @Nullable Instant from,
            @Nullable Instant until) {
        String whole = StatisticsQueries.whole(from != null, until != null);
        return new Statement(StatisticsQueries.ROLLUP_LOCATIONS)
                .add(scope.locationIds() != null ? StatisticsQueries.LOCATION_IN : "")
                .add(filter.locationId() != null ? StatisticsQueries.LOCATION_IS : "")
                .add(StatisticsQueries.ROLLUP_ROWS)
                .add(from != null ? StatisticsQueries.ROWS_STARTED_FROM : "")
                .add(until != null ? StatisticsQueries.ROWS_STARTED_BEFORE : "")
                .add(StatisticsQueries.DIRTY_DAYS)
                .add(from != null ? StatisticsQueries.DIRTY_FROM : "")
                .add(until != null ? StatisticsQueries.DIRTY_BEFORE : "")
                .add(StatisticsQueries.rolled(whole))
                // a day group's rows are days; a month is in many day groups
                .add(
                        groupBy == GroupBy.DAY
                                ? StatisticsQueries.TAKEN_DAYS
                                : StatisticsQueries.TAKEN_MONTHS)
                .add(StatisticsQueries.unrolledSessions(whole))
                .add(from != null ? StatisticsQueries.SESSIONS_STARTED_FROM : "")
                .add(until != null ? StatisticsQueries.SESSIONS_ENDED_BEFORE : "")
                .add(until == null ? StatisticsQueries.OPEN_SESSIONS : "")
                .add(until == null && from != null ? StatisticsQueries.SESSIONS_STARTED_FROM : "");
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
