package captiva.guests.query;

import captiva.common.OpaqueIds;
import captiva.common.format.Formats;
import captiva.common.paging.Count;
import captiva.common.paging.PageLinks;
import captiva.common.paging.PageRequest;
import captiva.common.sql.SqlTimes;
import captiva.common.sql.Statement;
import captiva.sessions.SessionProperties;
import captiva.tenancy.TenantScope;
import captiva.tenancy.VenueZones;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.ReadOnly;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lists and counts a tenant's guests for GET /guests and /guests/count. */
@Singleton
class GuestSearch {

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final Clock clock;
    private final SessionProperties sessions;

    GuestSearch(JdbcOperations jdbc, OpaqueIds ids, Clock clock, SessionProperties sessions) {
        this.jdbc = jdbc;
        this.ids = ids;
        this.clock = clock;
        this.sessions = sessions;
    }

    @ReadOnly
    public GuestPage page(
            TenantScope scope, GuestFilter filter, PageRequest request, PageLinks links) {
        Instant cutoff = sessions.onlineCutoff(clock.instant());
        List<GuestView> rows = new ArrayList<>();
        Optional<ZoneId> zone = zoneOf(scope, filter);
        if (zone.isPresent()) {
            Statement statement = GuestQueries.page(scope, filter, zone.get(), cutoff, request);
            jdbc.execute(
                    connection -> {
                        try (PreparedStatement st = statement.prepare(connection);
                                ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                rows.add(view(rs));
                            }
                        }
                        return null;
                    });
        }
        boolean more = rows.size() > request.perPage();
        List<GuestView> data = more ? rows.subList(0, request.perPage()) : rows;
        return new GuestPage(data, links.around(request, more), links.meta(request, data.size()));
    }

    @ReadOnly
    public Count count(TenantScope scope, GuestFilter filter) {
        Optional<ZoneId> zone = zoneOf(scope, filter);
        if (zone.isEmpty()) {
            return new Count(0);
        }
        Instant cutoff = sessions.onlineCutoff(clock.instant());
        Statement statement = GuestQueries.count(scope, filter, zone.get(), cutoff);
        return new Count(
                jdbc.execute(
                        connection -> {
                            try (PreparedStatement st = statement.prepare(connection);
                                    ResultSet rs = st.executeQuery()) {
                                rs.next();
                                return rs.getLong(1);
                            }
                        }));
    }

    /** downloaded is what the devices received (output octets); uploaded what they sent. */
    private GuestView view(ResultSet rs) throws SQLException {
        Instant firstSeen = SqlTimes.instant(rs, "first_seen");
        Instant lastSeen = SqlTimes.instant(rs, "last_seen");
        long downloaded = rs.getLong("downloaded");
        long uploaded = rs.getLong("uploaded");
        return new GuestView(
                ids.encode(OpaqueIds.Kind.GUEST, rs.getLong("id")),
                rs.getString("username"),
                rs.getString("name"),
                rs.getString("email"),
                rs.getString("yas_id"),
                firstSeen == null ? null : Formats.isoUtc(firstSeen),
                lastSeen == null ? null : Formats.isoUtc(lastSeen),
                rs.getLong("sessions"),
                rs.getBoolean("online"),
                Formats.siBytes(downloaded),
                Formats.siBytes(uploaded),
                downloaded,
                uploaded);
    }

    /**
     * The zone that date-only last_seen bounds are days in: the location's, else the tenant's.
     * Empty when the filter can match nothing (an unknown id, or a location the key may not see or
     * that does not exist).
     */
    private Optional<ZoneId> zoneOf(TenantScope scope, GuestFilter filter) {
        if (filter.matchesNothing()
                || (filter.locationId() != null && !scope.maySee(filter.locationId()))) {
            return Optional.empty();
        }
        if (!filter.hasDays() && filter.locationId() == null) {
            return Optional.of(ZoneOffset.UTC); // no day to place in a zone: skip the lookup
        }
        return jdbc.execute(
                connection -> VenueZones.ofDays(connection, scope.tenantId(), filter.locationId()));
    }
}
