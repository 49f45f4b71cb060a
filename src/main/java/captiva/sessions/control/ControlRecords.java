package captiva.sessions.control;

import captiva.common.sql.SqlTimes;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.ReadOnly;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The session a control request is about, and its control history. Every statement starts from the
 * tenant.
 */
@Singleton
class ControlRecords {

    /** What identifies a session to its NAS (RFC 5176 s3), as stored from its accounting. */
    record Target(
            long sessionId,
            long locationId,
            @Nullable Long nasId,
            @Nullable String acctSessionId,
            @Nullable String username,
            @Nullable String guestDeviceMac,
            @Nullable String guestDeviceIp,
            boolean ended) {}

    /** One sent request and its answer, as kept. */
    record Sent(
            long sessionId,
            long nasId,
            long apiKeyId,
            String action,
            @Nullable Long sessionTimeout,
            String outcome,
            @Nullable Integer errorCause,
            int attempts,
            Instant requestedAt,
            @Nullable Instant answeredAt) {}

    private static final String TARGET =
            """
            SELECT s.id, s.location_id, s.nas_id, s.acct_session_id, s.username, s.guest_device_mac::text AS mac,
                   host(s.guest_device_ip) AS ip, s.end_time IS NOT NULL AS ended
              FROM session s
             WHERE s.tenant_id = ? AND s.id = ?
            """;
    private static final String INSERT =
            """
            INSERT INTO session_control (tenant_id, session_id, nas_id, api_key_id, action, session_timeout, outcome,
                                         error_cause, attempts, requested_at, answered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;
    private static final String HISTORY =
            """
            SELECT c.session_id, c.nas_id, c.api_key_id, c.action, c.session_timeout, c.outcome, c.error_cause, c.attempts,
                   c.requested_at, c.answered_at
              FROM session_control c
             WHERE c.tenant_id = ? AND c.session_id = ?
             ORDER BY c.id DESC
             LIMIT 100
            """;

    private final JdbcOperations jdbc;

    ControlRecords(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The session, or empty when the tenant has no such session or the key may not see its
     * location.
     */
    @ReadOnly
    Optional<Target> target(TenantScope scope, long sessionId) {
        return jdbc.prepareStatement(
                TARGET,
                st -> {
                    st.setLong(1, scope.tenantId());
                    st.setLong(2, sessionId);
                    try (ResultSet rs = st.executeQuery()) {
                        if (!rs.next() || !scope.maySee(rs.getLong("location_id"))) {
                            return Optional.<Target>empty();
                        }
                        long nas = rs.getLong("nas_id");
                        return Optional.of(
                                new Target(
                                        rs.getLong("id"),
                                        rs.getLong("location_id"),
                                        rs.wasNull() ? null : nas,
                                        rs.getString("acct_session_id"),
                                        rs.getString("username"),
                                        rs.getString("mac"),
                                        rs.getString("ip"),
                                        rs.getBoolean("ended")));
                    }
                });
    }

    @Transactional
    void record(TenantScope scope, Sent sent) {
        jdbc.prepareStatement(
                INSERT,
                st -> {
                    st.setLong(1, scope.tenantId());
                    st.setLong(2, sent.sessionId());
                    st.setLong(3, sent.nasId());
                    st.setLong(4, sent.apiKeyId());
                    st.setString(5, sent.action());
                    st.setObject(6, sent.sessionTimeout(), java.sql.Types.BIGINT);
                    st.setString(7, sent.outcome());
                    st.setObject(8, sent.errorCause(), java.sql.Types.INTEGER);
                    st.setInt(9, sent.attempts());
                    st.setObject(10, SqlTimes.offset(sent.requestedAt()));
                    st.setObject(
                            11,
                            sent.answeredAt() == null ? null : SqlTimes.offset(sent.answeredAt()));
                    return st.executeUpdate();
                });
    }

    /** The session's requests, newest first (the latest 100). */
    @ReadOnly
    List<Sent> history(TenantScope scope, long sessionId) {
        return jdbc.prepareStatement(
                HISTORY,
                st -> {
                    st.setLong(1, scope.tenantId());
                    st.setLong(2, sessionId);
                    List<Sent> found = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            found.add(sent(rs));
                        }
                    }
                    return found;
                });
    }

    private static Sent sent(ResultSet rs) throws SQLException {
        long timeout = rs.getLong("session_timeout");
        Long sessionTimeout = rs.wasNull() ? null : timeout;
        int cause = rs.getInt("error_cause");
        Integer errorCause = rs.wasNull() ? null : cause;
        return new Sent(
                rs.getLong("session_id"),
                rs.getLong("nas_id"),
                rs.getLong("api_key_id"),
                rs.getString("action"),
                sessionTimeout,
                rs.getString("outcome"),
                errorCause,
                rs.getInt("attempts"),
                SqlTimes.instant(rs, "requested_at"),
                SqlTimes.instant(rs, "answered_at"));
    }
}
