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
     * What a session statement returns for {@link #withSessionEvents}: the row as it is after the
     * statement, and whether the statement created it. {@code xmax = 0} marks a row this statement
     * inserted rather than updated (an upsert's ON CONFLICT update sets xmax to the locking
     * transaction).
     */
    public static final String UPSERT_RETURNING =
            "s.id, s.tenant_id, s.location_id, s.start_time, s.end_time, (s.xmax = 0) AS created";

    /** The same for a statement that only updates sessions. */
    public static final String UPDATE_RETURNING =
            "id, tenant_id, location_id, start_time, end_time, false AS created";

    /**
     * Logs session.started for each session the statement in {@code changed} created, and
     * session.ended for each it closed: one that it created closed, or one that was open before the
     * statement. Reading {@code session} here sees the rows as they were before the statement,
     * since every part of one statement runs on the same snapshot; but a writer that waited for
     * another one closing the same session (a Stop behind the stale-session reaper) still sees it
     * open in that snapshot, so a session.ended is logged only by the statement that adds the
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
                WHERE c.created AND c.end_time IS NOT NULL AND c.tenant_id IN (SELECT tenant_id FROM consuming)
                UNION ALL
                SELECT c.tenant_id, c.id FROM changed c JOIN session o ON o.tenant_id = c.tenant_id AND o.id = c.id
                WHERE NOT c.created AND c.end_time IS NOT NULL AND o.end_time IS NULL
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
            WITH changed AS (SELECT id, tenant_id, location_id, start_time, end_time, true AS created
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
     * Every tenant whose changes are logged, for a statement that may touch any tenant (the
     * stale-session reaper).
     */
    public Long[] consumingTenants() {
        return consumers.all().toArray(Long[]::new);
    }

    /**
     * A session statement (an INSERT ... ON CONFLICT or an UPDATE on {@code session AS s}, without
     * RETURNING) that also logs its session events. It answers one row, the number of sessions it
     * wrote, so run it with {@code execute}/{@code executeQuery}; bind the statement's own
     * parameters first, then the consuming tenants.
     *
     * @param returning {@link #UPSERT_RETURNING} or {@link #UPDATE_RETURNING}
     * @param alsoWith more CTEs on {@code changed} (", name AS (...)"), without parameters: what
     *     else the writer logs in the same statement (captiva.sessions.VenueDays)
     */
    public static String withSessionEvents(String statement, String returning, String alsoWith) {
        return "WITH changed AS (\n"
                + statement
                + "RETURNING "
                + returning
                + "\n)\n"
                + alsoWith
                + SESSION_EVENTS;
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
