package captiva.locations.query;

import captiva.common.OpaqueIds;
import captiva.common.paging.Count;
import captiva.common.paging.PageLinks;
import captiva.common.paging.PageRequest;
import captiva.common.sql.Statement;
import captiva.sessions.SessionProperties;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.ReadOnly;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Lists and counts the venues a key may see, each with its guests online now. */
@Singleton
class LocationSearch {

    /**
     * Venues by name. The online count per venue reads only open sessions of that venue
     * (session_tenant_open_idx), with the same online rule as GET /sessions?online=true.
     */
    static final String ROWS =
            """
            SELECT l.id, l.name, l.time_zone,
                   (SELECT count(*) FROM session s
                    WHERE s.tenant_id = l.tenant_id AND s.location_id = l.id
                    %s) AS guests_online
            FROM location l
            WHERE l.tenant_id = ?
            """
                    .formatted(SessionSelection.ONLINE);

    static final String COUNT =
            """
            SELECT count(*) FROM location l
            WHERE l.tenant_id = ?
            """;
    static final String IN_KEY_LOCATIONS = "AND l.id = ANY (?)\n";
    static final String BY_NAME = "ORDER BY l.name, l.id LIMIT ? OFFSET ?";

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final Clock clock;
    private final SessionProperties sessions;

    LocationSearch(JdbcOperations jdbc, OpaqueIds ids, Clock clock, SessionProperties sessions) {
        this.jdbc = jdbc;
        this.ids = ids;
        this.clock = clock;
        this.sessions = sessions;
    }

    @ReadOnly
    public LocationPage page(TenantScope scope, PageRequest request, PageLinks links) {
        Instant cutoff = sessions.onlineCutoff(clock.instant());
        Statement statement =
                visible(new Statement(ROWS, cutoff, scope.tenantId()), scope)
                        .add(BY_NAME, request.perPage() + 1, request.offset());
        List<LocationView> rows = new ArrayList<>();
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = statement.prepare(connection);
                            ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            rows.add(
                                    new LocationView(
                                            ids.encode(OpaqueIds.Kind.LOCATION, rs.getLong("id")),
                                            rs.getString("name"),
                                            rs.getString("time_zone"),
                                            rs.getLong("guests_online")));
                        }
                    }
                    return null;
                });
        boolean more = rows.size() > request.perPage();
        List<LocationView> data = more ? rows.subList(0, request.perPage()) : rows;
        return new LocationPage(
                data, links.around(request, more), links.meta(request, data.size()));
    }

    @ReadOnly
    public Count count(TenantScope scope) {
        Statement statement = visible(new Statement(COUNT, scope.tenantId()), scope);
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

    /** Only the key's locations, when it is limited to some. */
    static Statement visible(Statement statement, TenantScope scope) {
        return scope.locationIds() == null
                ? statement
                : statement.add(
                        IN_KEY_LOCATIONS, (Object) scope.locationIds().toArray(Long[]::new));
    }
}
