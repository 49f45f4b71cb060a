package captiva.events.stream;

import captiva.common.OpaqueIds;
import captiva.common.format.Formats;
import captiva.common.sql.Statement;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Guests online now at each of a tenant's venues, for the stream's {@code online.counts}: the
 * sessions {@code GET /sessions/count?online=true&location_id=…} counts, selected by the same
 * {@link SessionSelection} (so the rule of online is the one written there), grouped by venue.
 * Counted once per tenant and then cut to each stream's venues.
 */
@Singleton
class VenueOnlineCounts {

    private static final String BY_LOCATION =
            """
            SELECT s.location_id, count(*) FROM session s
            WHERE s.tenant_id = ?
            """;
    private static final String GROUPED = "GROUP BY s.location_id";
    private static final String VENUES =
            "SELECT l.id FROM location l WHERE l.tenant_id = ? ORDER BY l.name, l.id";

    /** online=true and nothing else, as the query string {@code ?online=true} parses. */
    private static final SessionFilter ONLINE =
            new SessionFilter(null, null, null, null, null, null, true, false);

    /** The data of one {@code online.counts} message. */
    @Serdeable
    record Snapshot(String at, List<VenueCount> data) {}

    @Serdeable(naming = SnakeCaseStrategy.class)
    record VenueCount(String locationId, long count) {}

    /** A tenant's counts, every venue, before they are cut to a stream's scope. */
    record TenantCounts(Instant at, List<Long> venues, Map<Long, Long> online) {
        Snapshot visibleTo(TenantScope scope, OpaqueIds ids) {
            List<VenueCount> data = new ArrayList<>();
            for (long venue : venues) {
                if (scope.maySee(venue)) {
                    data.add(
                            new VenueCount(
                                    ids.encode(OpaqueIds.Kind.LOCATION, venue),
                                    online.getOrDefault(venue, 0L)));
                }
            }
            return new Snapshot(Formats.isoUtc(at), data);
        }
    }

    private final JdbcOperations jdbc;
    private final Clock clock;
    private final SessionProperties sessions;

    VenueOnlineCounts(JdbcOperations jdbc, Clock clock, SessionProperties sessions) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.sessions = sessions;
    }

    TenantCounts count(long tenantId) {
        Instant now = clock.instant();
        Statement online =
                SessionSelection.matching(
                                BY_LOCATION,
                                TenantScope.wholeTenant(tenantId),
                                ONLINE,
                                ZoneOffset.UTC,
                                sessions.onlineCutoff(now))
                        .add(GROUPED);
        return jdbc.execute(
                connection -> {
                    List<Long> venues = new ArrayList<>();
                    try (PreparedStatement st = connection.prepareStatement(VENUES)) {
                        st.setLong(1, tenantId);
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                venues.add(rs.getLong(1));
                            }
                        }
                    }
                    Map<Long, Long> counts = new HashMap<>();
                    try (PreparedStatement st = online.prepare(connection);
                            ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            counts.put(rs.getLong(1), rs.getLong(2));
                        }
                    }
                    return new TenantCounts(now, venues, counts);
                });
    }
}
