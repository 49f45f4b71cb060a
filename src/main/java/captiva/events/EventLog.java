package captiva.events;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes events in the transaction of the change they describe. Each method and SQL piece logs only
 * for tenants that {@link EventConsumers consume} events; the writers call them inside their own
 * transaction, so an event is committed exactly when its change is, and rolled back with it.
 */
@Singleton
public class EventLog {

    /**
     * What an INSERT ... ON CONFLICT on {@code session AS s} returns for {@link
     * #withSessionEvents}, before the row's earlier values are joined to it
     * (captiva.sessions.SessionRecorder): the row as it is after the statement, and whether the
     * statement created it. {@code xmax = 0} marks a row this statement inserted rather than
     * updated (an upsert's ON CONFLICT update sets xmax to the locking transaction).
     */
    public static final String UPSERT_RETURNING =
            "s.id, s.tenant_id, s.location_id, s.start_time, s.end_time, (s.xmax = 0) AS created";

    /**
     * What a statement on session returns for {@link #withSessionEvents} when it only ends open
     * sessions (the columns unqualified): its WHERE asks {@code end_time IS NULL} of the row it
     * updates (which PostgreSQL checks again on the row version it locks), and it moves no start,
     * so before the statement each row was open and started when it still is.
     */
    public static final String UPDATE_RETURNING =
            "id, tenant_id, location_id, start_time, end_time, false AS created,"
                    + " start_time AS was_start_time, CAST(NULL AS timestamptz) AS was_end_time";

    /**
     * The CTE {@code changed} of a session statement (INSERT, UPDATE or DELETE on session, without
     * RETURNING) that returns {@code returning}, for {@link #withSessionEvents} and
     * captiva.sessions.VenueDays: a "WITH" clause to go on.
     */
    public static String changed(String statement, String returning) {
        return "WITH changed AS (\n" + statement + "RETURNING " + returning + "\n)\n";
    }

    /**
     * Logs session.started for each session the statement in {@code changed} created, and
     * session.ended for each it closed: one that was open, or did not exist, before the statement.
     * {@code changed} gives what the statement left (id, tenant_id, location_id, start_time,
     * end_time, created) and the row's end before it ({@code was_end_time}, null for a row it
     * created), returned by the writer itself rather than read here from {@code session}: Citus
     * runs each CTE of a statement on distributed tables as a query of its own, in order, so a read
     * here would see the statement's own change, where PostgreSQL's single snapshot sees the row as
     * it was. Two writers closing the same session at once (a Stop behind the stale-session reaper)
     * may each have seen it open, so a session.ended is logged only by the statement that adds the
     * session to event_session_ended (V51), whose unique key is checked against committed rows.
     * Parameter: the consuming tenants (bigint[]).
     *
     * <p>Joins and unions rather than correlated subqueries: Citus plans the CTEs of a statement on
     * distributed tables one by one, and refuses a subquery correlated with a CTE's rows.
     */
    private static final String SESSION_EVENTS =
            """
            , consuming AS (
                SELECT unnest(CAST(? AS bigint[])) AS tenant_id
            ), ended_once AS (
                INSERT INTO event_session_ended (tenant_id, session_id)
                SELECT c.tenant_id, c.id FROM changed c
                WHERE c.end_time IS NOT NULL AND c.was_end_time IS NULL
                  AND c.tenant_id IN (SELECT tenant_id FROM consuming)
                ON CONFLICT DO NOTHING
                RETURNING tenant_id, session_id
            ), session_events AS (
                INSERT INTO event_pending (tenant_id, type, occurred_at, location_id, session_id)
                SELECT x.tenant_id, x.type, x.occurred_at, x.location_id, x.id
                FROM (SELECT c.tenant_id, 'session.started' AS type, 1 AS ord, c.start_time AS occurred_at, c.location_id, c.id
                      FROM changed c
                      WHERE c.created AND c.tenant_id IN (SELECT tenant_id FROM consuming)
                      UNION ALL
                      SELECT c.tenant_id, 'session.ended', 2, c.end_time, c.location_id, c.id
                      FROM changed c JOIN ended_once e ON e.tenant_id = c.tenant_id AND e.session_id = c.id) x
                ORDER BY x.id, x.ord
            )
            SELECT count(*) FROM changed
            """;

    private static final String LOGIN_CREATED =
            """
            INSERT INTO event_pending (tenant_id, type, occurred_at, location_id, login_id, guest_id)
            VALUES (?, 'login.created', ?, ?, ?, ?)
            """;

    private static final String GUESTS_ERASED =
            """
            INSERT INTO event_pending (tenant_id, type, occurred_at, guest_id)
            SELECT ?, 'guest.erased', ?, g FROM unnest(CAST(? AS bigint[])) AS g ORDER BY g
            """;

    private static final String SESSIONS_STORED =
            """
            WITH changed AS (SELECT id, tenant_id, location_id, start_time, end_time, true AS created,
                                    CAST(NULL AS timestamptz) AS was_start_time,
                                    CAST(NULL AS timestamptz) AS was_end_time
                             FROM session WHERE tenant_id = ? AND id = ANY (CAST(? AS bigint[])))
            """
                    + SESSION_EVENTS;

    private final EventConsumers consumers;
    private final JdbcOperations jdbc;

    EventLog(EventConsumers consumers, JdbcOperations jdbc) {
        this.consumers = consumers;
        this.jdbc = jdbc;
    }

    /** The distinct tenants among these whose changes must be logged; empty when none. */
    public long[] consumingAmong(long[] tenantIds) {
        return consumers.among(tenantIds);
    }

    /**
     * A session statement that also logs its session events: {@code withChanged} is its "WITH"
     * clause ending in the CTE {@code changed} ({@link #changed}, or the writer's own with the same
     * columns). It answers one row, the number of sessions it wrote, so run it with {@code
     * execute}/{@code executeQuery}; bind the statement's own parameters first, then the consuming
     * tenants.
     *
     * @param alsoWith more CTEs on {@code changed} (", name AS (...)"), without parameters: what
     *     else the writer logs in the same statement (captiva.sessions.VenueDays)
     */
    public static String withSessionEvents(String withChanged, String alsoWith) {
        return withChanged + alsoWith + SESSION_EVENTS;
    }

    /**
     * Logs session.started (and session.ended for those stored closed) for sessions just stored.
     */
    public void sessionsStored(long tenantId, List<Long> sessionIds) {
        if (sessionIds.isEmpty() || !consumers.consumes(tenantId)) {
            return;
        }
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(SESSIONS_STORED)) {
                        st.setLong(1, tenantId);
                        st.setArray(2, connection.createArrayOf("bigint", sessionIds.toArray()));
                        st.setArray(3, connection.createArrayOf("bigint", new Long[] {tenantId}));
                        try (ResultSet ignored = st.executeQuery()) {
                            return null;
                        }
                    }
                });
    }

    /** Logs login.created for a login just stored, on the connection that stored it. */
    public void loginCreated(
            Connection connection,
            long tenantId,
            long loginId,
            long locationId,
            Long guestId,
            Instant loginTime)
            throws SQLException {
        if (!consumers.consumes(tenantId)) {
            return;
        }
        try (PreparedStatement st = connection.prepareStatement(LOGIN_CREATED)) {
            st.setLong(1, tenantId);
            st.setObject(2, OffsetDateTime.ofInstant(loginTime, ZoneOffset.UTC));
            st.setLong(3, locationId);
            st.setLong(4, loginId);
            st.setObject(5, guestId);
            st.executeUpdate();
        }
    }

    /** Logs guest.erased for each guest of an erasure, ids only. */
    public void guestsErased(long tenantId, List<Long> guestIds, Instant at) {
        if (guestIds.isEmpty() || !consumers.consumes(tenantId)) {
            return;
        }
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(GUESTS_ERASED)) {
                        st.setLong(1, tenantId);
                        st.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                        st.setArray(3, connection.createArrayOf("bigint", guestIds.toArray()));
                        return st.executeUpdate();
                    }
                });
    }
}
