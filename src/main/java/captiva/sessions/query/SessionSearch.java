package captiva.sessions.query;

import captiva.common.OpaqueIds;
import captiva.common.paging.Count;
import captiva.common.paging.Links;
import captiva.common.paging.Meta;
import captiva.common.paging.PageLinks;
import captiva.common.paging.PageRequest;
import captiva.common.sql.Statement;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.annotation.Connectable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Lists and counts a tenant's sessions for GET /sessions and /sessions/count. Each answer is one
 * statement (two when days need the venue's zone), so each runs on one connection without a
 * transaction: a read-only transaction's COMMIT was one more round trip on every request.
 */
@Singleton
public class SessionSearch {

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

    /** A page by number (page and per_page), as in the reference API. */
    @Connectable(readOnly = true)
    public SessionPage page(
            TenantScope scope, SessionFilter filter, PageRequest request, PageLinks links) {
        Instant now = clock.instant();
        List<SessionRow> rows =
                rows(
                        scope,
                        filter,
                        now,
                        request.lastSessionFirst()
                                ? SessionQueries.NEWEST_FIRST
                                : SessionQueries.OLDEST_FIRST,
                        request.perPage() + 1,
                        request.offset());
        boolean more = rows.size() > request.perPage();
        return assemble(
                rows,
                request,
                now,
                request.offset(),
                request.page(),
                links.around(request, more),
                links);
    }

    /**
     * A page of a keyset walk: the sessions after {@code after}, or the first ones when it is null.
     * {@code links.next} carries the cursor of the following page; there is no way back, and no
     * last.
     */
    @Connectable(readOnly = true)
    public SessionPage pageAfter(
            TenantScope scope,
            SessionFilter filter,
            PageRequest request,
            @Nullable PageCursor after,
            PageCursor.Listing listing,
            PageLinks links) {
        Instant now = clock.instant();
        boolean newestFirst = request.lastSessionFirst();
        List<SessionRow> rows =
                after == null
                        ? rows(
                                scope,
                                filter,
                                now,
                                newestFirst
                                        ? SessionQueries.NEWEST_FIRST_FROM_START
                                        : SessionQueries.OLDEST_FIRST_FROM_START,
                                request.perPage() + 1)
                        : rows(
                                scope,
                                filter,
                                now,
                                newestFirst
                                        ? SessionQueries.NEWEST_FIRST_AFTER
                                        : SessionQueries.OLDEST_FIRST_AFTER,
                                after.startTime(),
                                after.id(),
                                request.perPage() + 1);
        long listedBefore = after == null ? 0 : after.listed();
        boolean more = rows.size() > request.perPage();
        String next =
                more
                        ? links.cursor(
                                PageCursor.after(
                                                rows.get(request.perPage() - 1),
                                                listedBefore + request.perPage())
                                        .encode(listing))
                        : null;
        int page = (int) Math.min(Integer.MAX_VALUE, listedBefore / request.perPage() + 1);
        return assemble(
                rows,
                request,
                now,
                listedBefore,
                page,
                new Links(links.cursor(""), null, null, next),
                links);
    }

    /**
     * The rows of the tenant's sessions that match the filter, ordered and limited by {@code order}
     * and its values.
     */
    private List<SessionRow> rows(
            TenantScope scope,
            SessionFilter filter,
            Instant now,
            String order,
            Object... orderValues) {
        List<SessionRow> rows = new ArrayList<>();
        Optional<ZoneId> zone = zoneOf(scope, filter);
        if (zone.isEmpty()) {
            return rows;
        }
        Statement statement =
                SessionSelection.matching(
                                SessionQueries.ROWS,
                                scope,
                                filter,
                                zone.get(),
                                sessions.onlineCutoff(now))
                        .add(order, orderValues);
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = statement.prepare(connection);
                            ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            rows.add(SessionQueries.row(rs));
                        }
                    }
                    return null;
                });
        return rows;
    }

    /**
     * The page of at most per_page of {@code rows} (one more was read to learn whether a next page
     * exists).
     */
    private SessionPage assemble(
            List<SessionRow> rows,
            PageRequest request,
            Instant now,
            long listedBefore,
            int page,
            Links pageLinks,
            PageLinks links) {
        Instant cutoff = sessions.onlineCutoff(now);
        List<SessionView> data =
                rows.stream()
                        .limit(request.perPage())
                        .map(row -> SessionView.from(row, ids, now, cutoff))
                        .toList();
        Meta meta =
                new Meta(
                        page,
                        data.isEmpty() ? null : listedBefore + 1,
                        links.path(),
                        request.perPage(),
                        data.isEmpty() ? null : listedBefore + data.size());
        return new SessionPage(data, pageLinks, meta);
    }

    @Connectable(readOnly = true)
    public Count count(TenantScope scope, SessionFilter filter) {
        Optional<ZoneId> zone = zoneOf(scope, filter);
        if (zone.isEmpty()) {
            return new Count(0);
        }
        Instant cutoff = sessions.onlineCutoff(clock.instant());
        Statement statement =
                SessionSelection.matching(SessionQueries.COUNT, scope, filter, zone.get(), cutoff);
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

    /**
     * The zone that date-only filters are days in; empty when the filter can match nothing (see
     * SessionQueries).
     */
    public Optional<ZoneId> zoneOf(TenantScope scope, SessionFilter filter) {
        return jdbc.execute(connection -> SessionSelection.zoneOf(connection, scope, filter));
    }
}
