package captiva.sessions;

import captiva.events.EventLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The one definition of "log the venue-days these sessions touch", for the statistics rollups (V9's
 * venue_day_dirty, read by captiva.statistics.VenueDayRefresher): every writer of sessions adds it
 * to its own statement, so the log entry commits exactly when the change does. It was a set of
 * statement-level triggers on session (V9), which Citus refuses on a distributed table (V58).
 *
 * <p>A rollup holds ended sessions by the venue-local day they started, so a change touches the day
 * of each ended session as it is after the statement and, where an ended session moved (its start
 * moved earlier, as a late packet may do), the day it was in before. Open sessions are never rolled
 * up: an Interim-Update of an open session logs nothing, and a session that was open before the
 * statement had no day to leave (an end is never cleared). No writer moves a session to another
 * venue. The row before the statement is returned by the writer itself ({@code was_start_time},
 * {@code was_end_time}), not read here from {@code session}: Citus runs each CTE of a statement on
 * distributed tables as a query of its own, in order, so a read here would see the statement's own
 * change, where PostgreSQL's single snapshot sees the row as it was.
 *
 * <p>Not covered, unlike the transition tables of the triggers: when another writer commits a new
 * start for the same ended session between the writer's read of the row before and its row lock,
 * and this statement moves the start again to another day, the day in between is not logged (both
 * writers must move one session's start across venue-local midnights at the same moment; a late
 * packet's start rarely moves at all).
 */
public final class VenueDays {

    /**
     * A CTE to add after a CTE {@code changed} that returns the changed sessions (id, tenant_id,
     * location_id, start_time, end_time: as the statement left them, or for a DELETE as they were;
     * was_start_time, was_end_time: as they were before the statement, null for a row it created),
     * all of one tenant. Its parameter is that tenant: the venues' time zones are read from its
     * locations only, which on Citus is one shard rather than every shard of {@code location}.
     */
    public static final String LOGGED =
            """
            , venue_days AS (
                INSERT INTO venue_day_dirty (tenant_id, location_id, day)
                SELECT DISTINCT d.tenant_id, d.location_id, (d.start_time AT TIME ZONE l.time_zone)::date
                FROM (SELECT c.tenant_id, c.location_id, c.start_time FROM changed c WHERE c.end_time IS NOT NULL
                      UNION ALL
                      SELECT c.tenant_id, c.location_id, c.was_start_time FROM changed c
                      WHERE c.end_time IS NOT NULL AND c.was_end_time IS NOT NULL
                        AND c.was_start_time <> c.start_time) d
                JOIN location l ON l.tenant_id = ? AND l.id = d.location_id
            )
            """;

    /**
     * What {@link #logged} needs returned by a statement on session unaliased that moves no start
     * and no end (or deletes): the row before is the row it returns.
     */
    public static final String RETURNING =
            "id, tenant_id, location_id, start_time, end_time,"
                    + " start_time AS was_start_time, end_time AS was_end_time";

    /** The same for a statement on {@code session s}. */
    public static final String RETURNING_S =
            "s.id, s.tenant_id, s.location_id, s.start_time, s.end_time,"
                    + " s.start_time AS was_start_time, s.end_time AS was_end_time";

    private static final String STORED =
            """
            WITH changed AS (SELECT id, tenant_id, location_id, start_time, end_time,
                                    CAST(NULL AS timestamptz) AS was_start_time,
                                    CAST(NULL AS timestamptz) AS was_end_time
                             FROM session WHERE tenant_id = ? AND id = ANY (CAST(? AS bigint[])))
            """
                    + LOGGED
                    + "SELECT count(*) FROM changed\n";

    /**
     * A session statement on one tenant's sessions (INSERT, UPDATE or DELETE on session, without
     * RETURNING) that also logs the venue-days it touched and, with {@code events}, its session
     * events ({@link EventLog#withSessionEvents}). Bind the statement's own parameters, then the
     * tenant ({@link #LOGGED}), then with {@code events} the consuming tenants. It answers one row,
     * the number of sessions it wrote.
     *
     * @param returning {@link #RETURNING}, {@link #RETURNING_S} or {@link
     *     EventLog#UPDATE_RETURNING}
     */
    public static String logged(String statement, String returning, boolean events) {
        return logged(EventLog.changed(statement, returning), events);
    }

    /**
     * The same for a "WITH" clause that ends in the CTE {@code changed} (as {@link
     * EventLog#changed} builds it, or the writer's own with the same columns and {@code created}).
     */
    public static String logged(String withChanged, boolean events) {
        if (events) {
            return EventLog.withSessionEvents(withChanged, LOGGED);
        }
        return withChanged + LOGGED + "SELECT count(*) FROM changed\n";
    }

    /** Logs the venue-days of sessions just inserted, by a statement that could not return them. */
    public static void stored(Connection connection, long tenantId, List<Long> sessionIds)
            throws SQLException {
        if (sessionIds.isEmpty()) {
            return;
        }
        try (PreparedStatement st = connection.prepareStatement(STORED)) {
            st.setLong(1, tenantId);
            st.setArray(2, connection.createArrayOf("bigint", sessionIds.toArray()));
            st.setLong(3, tenantId);
            st.execute();
        }
    }

    private VenueDays() {}
}
