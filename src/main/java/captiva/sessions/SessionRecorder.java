package captiva.sessions;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Applies accounting events to sessions, a batch per transaction. Each session event is one upsert on
 * (tenant, NAS, Acct-Session-Id) that is safe in any order and any number of times: the start only
 * moves earlier, the end is set once and never cleared, counters and last update only grow. So an
 * Interim without a Start creates the session, a Stop without a Start creates it closed, and a late
 * Interim never reopens a stopped session. Accounting-On/Off (the NAS rebooted or is going down)
 * closes every session of that NAS still open and started by then.
 */
@Singleton
public class SessionRecorder {

    private static final String UPSERT = """
            INSERT INTO session AS s (tenant_id, location_id, nas_id, acct_session_id, username, guest_id,
                                      guest_device_mac, guest_device_ip, start_time, last_update, end_time,
                                      input_octets, output_octets, session_time, terminate_cause)
            VALUES (?, ?, ?, ?, ?,
                    (SELECT g.id FROM guest g WHERE g.tenant_id = ? AND g.username = ? ORDER BY g.id LIMIT 1),
                    CAST(? AS macaddr), CAST(? AS inet), ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, nas_id, acct_session_id) WHERE acct_session_id IS NOT NULL DO UPDATE SET
                username         = COALESCE(s.username, EXCLUDED.username),
                guest_id         = COALESCE(s.guest_id, EXCLUDED.guest_id),
                guest_device_mac = COALESCE(s.guest_device_mac, EXCLUDED.guest_device_mac),
                guest_device_ip  = COALESCE(EXCLUDED.guest_device_ip, s.guest_device_ip),
                start_time       = LEAST(s.start_time, EXCLUDED.start_time),
                last_update      = GREATEST(s.last_update, EXCLUDED.last_update),
                end_time         = COALESCE(s.end_time, EXCLUDED.end_time),
                input_octets     = GREATEST(s.input_octets, EXCLUDED.input_octets),
                output_octets    = GREATEST(s.output_octets, EXCLUDED.output_octets),
                session_time     = GREATEST(s.session_time, EXCLUDED.session_time),
                terminate_cause  = COALESCE(s.terminate_cause, EXCLUDED.terminate_cause)
            """;

    private static final String CLOSE_NAS_SESSIONS = """
            UPDATE session SET end_time = GREATEST(start_time, ?), last_update = GREATEST(last_update, ?),
                               terminate_cause = COALESCE(terminate_cause, ?)
            WHERE tenant_id = ? AND nas_id = ? AND end_time IS NULL AND start_time <= ?
            """;

    private final JdbcOperations jdbc;

    SessionRecorder(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** Applies every event, in order, in one transaction: all are stored or, on failure, none. */
    @Transactional
    public void record(List<AccountingEvent> events) {
        int from = 0;
        for (int i = 0; i <= events.size(); i++) {
            if (i == events.size() || events.get(i).type().isNasWide()) {
                upsert(events.subList(from, i));
                if (i < events.size()) {
                    closeNasSessions(events.get(i));
                }
                from = i + 1;
            }
        }
    }

    private void upsert(List<AccountingEvent> sessionEvents) {
        if (sessionEvents.isEmpty()) {
            return;
        }
        jdbc.prepareStatement(UPSERT, statement -> {
            for (AccountingEvent e : sessionEvents) {
                bind(statement, e);
                statement.addBatch();
            }
            return statement.executeBatch();
        });
    }

    private void closeNasSessions(AccountingEvent e) {
        OffsetDateTime at = OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC);
        jdbc.prepareStatement(CLOSE_NAS_SESSIONS, st -> {
            st.setObject(1, at);
            st.setObject(2, at);
            st.setString(3, e.type() == AccountingEvent.Type.ACCOUNTING_ON ? "NAS-Reboot" : "NAS-Request");
            st.setLong(4, e.tenantId());
            st.setLong(5, e.nasId());
            st.setObject(6, at);
            return st.executeUpdate();
        });
    }

    private static void bind(PreparedStatement st, AccountingEvent e) throws SQLException {
        OffsetDateTime start = OffsetDateTime.ofInstant(e.startTime(), ZoneOffset.UTC);
        OffsetDateTime event = OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC);
        int i = 0;
        st.setLong(++i, e.tenantId());
        st.setLong(++i, e.locationId());
        st.setLong(++i, e.nasId());
        st.setString(++i, e.acctSessionId());
        st.setString(++i, e.username());
        st.setLong(++i, e.tenantId());
        st.setString(++i, e.username());
        st.setString(++i, e.deviceMac());
        st.setString(++i, e.deviceIp());
        st.setObject(++i, start);
        st.setObject(++i, event);
        if (e.type() == AccountingEvent.Type.STOP) {
            st.setObject(++i, event);
        } else {
            st.setNull(++i, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        st.setLong(++i, e.inputOctets());
        st.setLong(++i, e.outputOctets());
        if (e.sessionTime() == null) {
            st.setNull(++i, Types.BIGINT);
        } else {
            st.setLong(++i, e.sessionTime());
        }
        st.setString(++i, e.terminateCause());
    }
}
