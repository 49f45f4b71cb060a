package captiva.sessions.query;

import captiva.common.sql.SqlTimes;
import captiva.sessions.SessionProperties;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.data.connection.annotation.Connectable;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves IP addresses to the guests behind them for GET /sessions/{ips}, all addresses in one
 * statement. Now: the latest started online session holding the address (private addresses repeat
 * across venues), else its most recent session. At a given time: the latest session started by then
 * that had not yet ended.
 */
@Singleton
class IpHolderLookup {

    static final String HOLDER_FIELDS = """
            s.username AS session_username, g.username AS guest_username, g.name, g.email,
            s.start_time, s.last_update, s.end_time
            FROM session s LEFT JOIN guest g ON g.id = s.guest_id
            WHERE s.tenant_id = ? AND s.guest_device_ip = CAST(q.ip_text AS inet)
            """;

    static final String NOW = """
            SELECT q.ord, h.* FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS q(ip_text, ord)
            CROSS JOIN LATERAL (
                (SELECT %1$s AND s.end_time IS NULL AND s.last_update >= ? %2$s
                 ORDER BY s.start_time DESC LIMIT 1)
                UNION ALL
                (SELECT %1$s %2$s
                 ORDER BY s.start_time DESC LIMIT 1)
                LIMIT 1
            ) AS h
            ORDER BY q.ord
            """;

    private static final String AT = """
            SELECT q.ord, h.* FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS q(ip_text, ord)
            CROSS JOIN LATERAL (
                SELECT %1$s AND s.start_time <= ? %2$s
                ORDER BY s.start_time DESC LIMIT 1
            ) AS h
            WHERE COALESCE(h.end_time, h.last_update + CAST(? AS interval)) >= ?
            ORDER BY q.ord
            """;

    private final JdbcOperations jdbc;
    private final Clock clock;
    private final SessionProperties sessions;

    IpHolderLookup(JdbcOperations jdbc, Clock clock, SessionProperties sessions) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.sessions = sessions;
    }

    /**
     * Returns a holder for each address that has one, in the order asked; addresses without a
     * session in the caller's scope are left out.
     *
     * @param texts      the addresses as the client wrote them, echoed back in {@code ip_address}
     * @param locationId only sessions at this location, or null for any the key may see
     * @param at         who held the addresses then, or null for now
     */
    @Connectable(readOnly = true)   // one statement: no transaction, no COMMIT round trip
    public List<IpHolder> resolve(TenantScope scope, List<String> texts, List<InetAddress> addresses,
                                  @Nullable Long locationId, @Nullable Instant at) {
        if (locationId != null && !scope.maySee(locationId)) {
            return List.of();
        }
        Instant now = clock.instant();
        Duration timeout = sessions.onlineTimeout();
        Instant cutoff = now.minus(timeout);
        String narrowing = (scope.locationIds() != null ? SessionQueries.IN_KEY_LOCATIONS : "")
                + (locationId != null ? SessionQueries.AT_LOCATION : "");
        String[] canonical = addresses.stream().map(InetAddress::getHostAddress).toArray(String[]::new);
        List<IpHolder> holders = new ArrayList<>();
        jdbc.execute(connection -> {
            String sql = String.format(at == null ? NOW : AT, HOLDER_FIELDS, narrowing);
            try (PreparedStatement st = connection.prepareStatement(sql)) {
                int i = 0;
                st.setArray(++i, connection.createArrayOf("text", canonical));
                int branches = at == null ? 2 : 1;
                for (int b = 0; b < branches; b++) {
                    st.setLong(++i, scope.tenantId());
                    if (at == null && b == 0) {
                        st.setObject(++i, SqlTimes.offset(cutoff));
                    }
                    if (at != null) {
                        st.setObject(++i, SqlTimes.offset(at));
                    }
                    if (scope.locationIds() != null) {
                        st.setArray(++i, connection.createArrayOf("bigint", scope.locationIds().toArray(Long[]::new)));
                    }
                    if (locationId != null) {
                        st.setLong(++i, locationId);
                    }
                }
                if (at != null) {
                    st.setString(++i, timeout.toSeconds() + " seconds");
                    st.setObject(++i, SqlTimes.offset(at));
                }
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        holders.add(holder(rs, texts.get(rs.getInt("ord") - 1), now, cutoff));
                    }
                }
            }
            return null;
        });
        return holders;
    }

    private static IpHolder holder(ResultSet rs, String asked, Instant now, Instant cutoff) throws java.sql.SQLException {
        Instant start = SqlTimes.instant(rs, "start_time");
        Instant lastUpdate = SqlTimes.instant(rs, "last_update");
        Instant end = SqlTimes.instant(rs, "end_time");
        Instant effectiveEnd = SessionRow.effectiveEnd(end, lastUpdate, now, cutoff);
        String username = rs.getString("session_username") != null ? rs.getString("session_username") : rs.getString("guest_username");
        return new IpHolder(asked, username, rs.getString("name"), rs.getString("email"),
                Math.max(0, Duration.between(start, effectiveEnd).getSeconds()));
    }
}
