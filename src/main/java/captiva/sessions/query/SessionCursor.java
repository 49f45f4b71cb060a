package captiva.sessions.query;

import captiva.common.OpaqueIds;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Every session a filter matches, oldest first (start_time, then id), read through a server-side
 * cursor, so that a tenant's whole history can be walked without holding it in memory: the rows of
 * GET /sessions with no page, formatted by the same {@link SessionView#from}.
 */
public final class SessionCursor implements AutoCloseable {

    @Nullable private final PreparedStatement statement;
    @Nullable private final ResultSet rows;
    private final OpaqueIds ids;
    private final Instant now;
    private final Instant onlineCutoff;

    private SessionCursor(
            @Nullable PreparedStatement statement,
            @Nullable ResultSet rows,
            OpaqueIds ids,
            Instant now,
            Instant onlineCutoff) {
        this.statement = statement;
        this.rows = rows;
        this.ids = ids;
        this.now = now;
        this.onlineCutoff = onlineCutoff;
    }

    /** Opens cursors; the caller owns the connection and its transaction. */
    @Singleton
    public static final class Opener {
        private final OpaqueIds ids;
        private final Clock clock;
        private final SessionProperties sessions;

        Opener(OpaqueIds ids, Clock clock, SessionProperties sessions) {
            this.ids = ids;
            this.clock = clock;
            this.sessions = sessions;
        }

        /**
         * PostgreSQL streams {@code fetchSize} rows at a time only inside a transaction: the
         * connection must have autocommit off, else the driver reads the whole result at once.
         */
        public SessionCursor open(
                Connection connection, TenantScope scope, SessionFilter filter, int fetchSize)
                throws SQLException {
            Instant now = clock.instant();
            Instant cutoff = sessions.onlineCutoff(now);
            Optional<ZoneId> zone = SessionSelection.zoneOf(connection, scope, filter);
            if (zone.isEmpty()) {
                return new SessionCursor(null, null, ids, now, cutoff);
            }
            PreparedStatement statement =
                    SessionSelection.matching(
                                    SessionQueries.ROWS, scope, filter, zone.get(), cutoff)
                            .add(SessionQueries.EVERY_ROW_OLDEST_FIRST)
                            .prepare(connection);
            try {
                statement.setFetchSize(fetchSize);
                return new SessionCursor(statement, statement.executeQuery(), ids, now, cutoff);
            } catch (SQLException | RuntimeException e) {
                statement.close();
                throw e;
            }
        }
    }

    /** The next session, or null after the last one. */
    @Nullable
    public SessionView next() throws SQLException {
        if (rows == null || !rows.next()) {
            return null;
        }
        return SessionView.from(SessionQueries.row(rows), ids, now, onlineCutoff);
    }

    @Override
    public void close() throws SQLException {
        if (statement != null) {
            statement.close(); // closes the result set, and with it the server-side portal
        }
    }
}
