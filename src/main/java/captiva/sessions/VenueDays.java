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
 * statement had no day to leave (an end is never cleared). The row before the statement is read
 * from {@code session} in the same statement, whose snapshot sees it as it was; only ended rows are
 * looked up, one primary-key probe each.
 *
 * <p>Not covered, unlike the transition tables of the triggers: when another writer commits a new
 * start for the same ended session between this statement's snapshot and its row lock, and this
 * statement moves the start again to another day, the day in between is not logged (both writers
 * must move one session's start across venue-local midnights at the same moment; a late packet's
 * start rarely moves at all).
 */
public final class VenueDays {

    /**
     * A CTE to add after a CTE {@code changed} that returns the changed sessions (id, tenant_id,
     * location_id, start_time, end_time): as the statement left them, or for a DELETE as they were.
     * No parameters.
     */
    public static final String LOGGED =
            """
            , venue_days AS (
                INSERT INTO venue_day_dirty (tenant_id, location_id, day)
                SELECT DISTINCT d.tenant_id, d.location_id, (d.start_time AT TIME ZONE l.time_zone)::date
                FROM (SELECT c.tenant_id, c.location_id, c.start_time FROM changed c WHERE c.end_time IS NOT NULL
                      UNION ALL
                      SELECT o.tenant_id, o.location_id, o.start_time
                      FROM changed c JOIN session o ON o.tenant_id = c.tenant_id AND o.id = c.id
                      WHERE c.end_time IS NOT NULL AND o.end_time IS NOT NULL
                        AND (o.location_id, o.start_time) IS DISTINCT FROM (c.location_id, c.start_time)) d
                JOIN location l ON l.tenant_id = d.tenant_id AND l.id = d.location_id
            )
            """;

    /** What {@link #logged} needs a statement to return, for a statement on session unaliased. */
    public static final String RETURNING = "id, tenant_id, location_id, start_time, end_time";

    /** The same for a statement on {@code session s}. */
    public static final String RETURNING_S =
            "s.id, s.tenant_id, s.location_id, s.start_time, s.end_time";

    private static final String STORED =
            "WITH changed AS (SELECT id, tenant_id, location_id, start_time, end_time FROM session\n"
                    + "                 WHERE tenant_id = ? AND id = ANY (CAST(? AS bigint[])))\n"
                    + LOGGED
                    + "SELECT count(*) FROM changed\n";

    /**
     * A session statement (INSERT, UPDATE or DELETE on session, without RETURNING) that also logs
     * the venue-days it touched and, with {@code events}, its session events ({@link
     * EventLog#withSessionEvents}, whose parameter then follows the statement's). It answers one
     * row, the number of sessions it wrote.
     *
     * @param returning {@link #RETURNING}, {@link #RETURNING_S} or one of EventLog's, which include
     *     those columns
     */
    public static String logged(String statement, String returning, boolean events) {
        if (events) {
            return EventLog.withSessionEvents(statement, returning, LOGGED);
        }
        return "WITH changed AS (\n"
                + statement
                + "RETURNING "
                + returning
                + "\n)\n"
                + LOGGED
                + "SELECT count(*) FROM changed\n";
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
            st.execute();
        }
    }

    private VenueDays() {}
}
