package captiva.sessions.query;

import captiva.common.OpaqueIds;
import captiva.sessions.SessionProperties;
import captiva.tenancy.TenantScope;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.ReadOnly;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lists and counts a tenant's sessions for GET /sessions and /sessions/count. */
@Singleton
class SessionSearch {

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final Clock clock;
    private final SessionProperties sessions;

    SessionSearch(JdbcOperations jdbc, OpaqueIds ids, Clock clock, SessionProperties sessions) {
        this.jdbc = jdbc;
        this.ids = ids;
        this.clock = clock;
        this.sessions = sessions;
    }

    /** Where links point: the endpoint's absolute URL, and the client's parameters to repeat, already encoded. */
    record LinkBase(String path, String query) {
        String page(int page) {
            return path + "?" + query + "page=" + page;
        }
    }

    @ReadOnly
    public SessionPage page(TenantScope scope, SessionFilter filter, PageRequest request, LinkBase links) {
        Instant now = clock.instant();
        Instant cutoff = now.minus(sessions.onlineTimeout());
        List<SessionRow> rows = new ArrayList<>();
        Optional<ZoneId> zone = zoneOf(scope, filter);
        if (zone.isPresent()) {
            SessionQueries.Statement statement = new SessionQueries.Statement(SessionQueries.ROWS, scope)
                    .where(filter, zone.get(), cutoff)
                    .add(request.lastSessionFirst() ? SessionQueries.NEWEST_FIRST : SessionQueries.OLDEST_FIRST,
                            request.perPage() + 1, request.offset());
            jdbc.execute(connection -> {
                try (PreparedStatement st = statement.prepare(connection); ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        rows.add(SessionQueries.row(rs));
                    }
                }
                return null;
            });
        }
        boolean more = rows.size() > request.perPage();
        List<SessionView> data = rows.stream().limit(request.perPage())
                .map(row -> SessionView.from(row, ids, now, cutoff)).toList();
        int page = request.page();
        SessionPage.Links pageLinks = new SessionPage.Links(
                links.page(1), null,
                page > 1 ? links.page(page - 1) : null,
                more ? links.page(page + 1) : null);
        SessionPage.Meta meta = new SessionPage.Meta(page,
                data.isEmpty() ? null : request.offset() + 1, links.path(), request.perPage(),
                data.isEmpty() ? null : request.offset() + data.size());
        return new SessionPage(data, pageLinks, meta);
    }

    @ReadOnly
    public SessionCount count(TenantScope scope, SessionFilter filter) {
        Optional<ZoneId> zone = zoneOf(scope, filter);
        if (zone.isEmpty()) {
            return new SessionCount(0);
        }
        Instant cutoff = clock.instant().minus(sessions.onlineTimeout());
        SessionQueries.Statement statement = new SessionQueries.Statement(SessionQueries.COUNT, scope)
                .where(filter, zone.get(), cutoff);
        return new SessionCount(jdbc.execute(connection -> {
            try (PreparedStatement st = statement.prepare(connection); ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }));
    }

    private Optional<ZoneId> zoneOf(TenantScope scope, SessionFilter filter) {
        return jdbc.execute(connection -> SessionQueries.zoneOf(connection, scope, filter));
    }
}
