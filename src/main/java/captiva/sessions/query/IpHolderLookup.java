package captiva.sessions.query;

import captiva.common.sql.SqlTimes;
import captiva.sessions.Online;
import captiva.sessions.SessionProperties;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.annotation.Connectable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves IP addresses to the guests behind them for GET /sessions/{ips}, all addresses of a
 * family in one statement. Now: the latest started online session holding the address (private
 * addresses repeat across venues), else its most recent session. At a given time: the latest
 * session started by then that had not yet ended.
 *
 * <p>An IPv4 address is held by the session whose device address it is. An IPv6 address is held by
 * the session whose device address or Framed-IPv6-Address it is, or whose Framed-IPv6-Prefix or
 * Delegated-IPv6-Prefix contains it: a device forms its own addresses in its prefix (SLAAC, privacy
 * addresses), and routes a delegated prefix to the devices behind it, so the NAS never hears of
 * most addresses a marketing log shows. Exact addresses probe B-tree indexes; containment ({@code
 * >>=}) probes GiST indexes on (tenant_id, prefix) (V42, {@code Ipv6LookupPlanTest}).
 */
@Singleton
class IpHolderLookup {

    static final String HOLDER_FIELDS =
            """
            s.username AS session_username, g.username AS guest_username, g.name, g.email,
            s.start_time, s.last_update, s.end_time
            FROM session s LEFT JOIN guest g ON g.tenant_id = s.tenant_id AND g.id = s.guest_id
            WHERE s.tenant_id = ? AND s.guest_device_ip = CAST(q.ip_text AS inet)
            """;

    /** The same for an IPv6 address: its address columns, or a prefix that contains it. */
    static final String HOLDER_FIELDS_IPV6 =
            """
            s.username AS session_username, g.username AS guest_username, g.name, g.email,
            s.start_time, s.last_update, s.end_time
            FROM session s LEFT JOIN guest g ON g.tenant_id = s.tenant_id AND g.id = s.guest_id
            WHERE s.tenant_id = ? AND (s.guest_device_ip = CAST(q.ip_text AS inet)
                                       OR s.framed_ipv6_address = CAST(q.ip_text AS inet)
                                       OR s.framed_ipv6_prefix >>= CAST(q.ip_text AS inet)
                                       OR s.delegated_ipv6_prefix >>= CAST(q.ip_text AS inet))
            """;

    /**
     * {@link Online} in {@link #NOW} and {@link #NOW_IPV6} (%3$s): the holder now is an online
     * session first.
     */
    static final String ONLINE = Online.sql("s", "?");

    static final String NOW =
            """
            SELECT q.ord, h.* FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS q(ip_text, ord)
            CROSS JOIN LATERAL (
                (SELECT %1$s AND %3$s %2$s
                 ORDER BY s.start_time DESC LIMIT 1)
                UNION ALL
                (SELECT %1$s %2$s
                 ORDER BY s.start_time DESC LIMIT 1)
                LIMIT 1
            ) AS h
            ORDER BY q.ord
            """;

    private static final String AT =
            """
            SELECT q.ord, h.* FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS q(ip_text, ord)
            CROSS JOIN LATERAL (
                SELECT %1$s AND s.start_time <= ? %2$s
                ORDER BY s.start_time DESC LIMIT 1
            ) AS h
            WHERE COALESCE(h.end_time, h.last_update + CAST(? AS interval)) >= ?
            ORDER BY q.ord
            """;

    /**
     * {@link #NOW} and {@link #AT} for IPv6: each branch collects the matching sessions first
     * (OFFSET 0 keeps the subquery apart), then takes the latest. Otherwise the planner, whose
     * estimate for {@code >>=} is a guess, walks the tenant's sessions newest first hoping to meet
     * a containing prefix soon, and for an address nobody held reads the tenant's whole history.
     */
    static final String NOW_IPV6 =
            """
            SELECT q.ord, h.* FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS q(ip_text, ord)
            CROSS JOIN LATERAL (
                (SELECT * FROM (SELECT %1$s AND %3$s %2$s OFFSET 0) AS online
                 ORDER BY start_time DESC LIMIT 1)
                UNION ALL
                (SELECT * FROM (SELECT %1$s %2$s OFFSET 0) AS latest
                 ORDER BY start_time DESC LIMIT 1)
                LIMIT 1
            ) AS h
            ORDER BY q.ord
            """;

    private static final String AT_IPV6 =
            """
            SELECT q.ord, h.* FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS q(ip_text, ord)
            CROSS JOIN LATERAL (
                SELECT * FROM (SELECT %1$s AND s.start_time <= ? %2$s OFFSET 0) AS started
                ORDER BY start_time DESC LIMIT 1
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
     * @param texts the addresses as the client wrote them, echoed back in {@code ip_address}
     * @param locationId only sessions at this location, or null for any the key may see
     * @param at who held the addresses then, or null for now
     */
    @Connectable(
            readOnly = true) // a statement per address family: no transaction, no COMMIT round trip
    public List<IpHolder> resolve(
            TenantScope scope,
            List<String> texts,
            List<InetAddress> addresses,
            @Nullable Long locationId,
            @Nullable Instant at) {
        if (locationId != null && !scope.maySee(locationId)) {
            return List.of();
        }
        Instant now = clock.instant();
        Duration timeout = sessions.onlineTimeout();
        Instant cutoff = sessions.onlineCutoff(now);
        String narrowing =
                (scope.locationIds() != null ? SessionSelection.IN_KEY_LOCATIONS : "")
                        + (locationId != null ? SessionSelection.AT_LOCATION : "");
        List<Integer> v4 = new ArrayList<>();
        List<Integer> v6 = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            (addresses.get(i) instanceof Inet6Address ? v6 : v4).add(i);
        }
        List<Found> found = new ArrayList<>();
        found.addAll(
                resolve(
                        scope,
                        at == null
                                ? String.format(NOW, HOLDER_FIELDS, narrowing, ONLINE)
                                : String.format(AT, HOLDER_FIELDS, narrowing),
                        v4,
                        texts,
                        addresses,
                        locationId,
                        at,
                        now,
                        cutoff,
                        timeout));
        found.addAll(
                resolve(
                        scope,
                        at == null
                                ? String.format(NOW_IPV6, HOLDER_FIELDS_IPV6, narrowing, ONLINE)
                                : String.format(AT_IPV6, HOLDER_FIELDS_IPV6, narrowing),
                        v6,
                        texts,
                        addresses,
                        locationId,
                        at,
                        now,
                        cutoff,
                        timeout));
        found.sort(java.util.Comparator.comparingInt(Found::asked));
        return found.stream().map(Found::holder).toList();
    }

    private record Found(int asked, IpHolder holder) {}

    /**
     * The holders of the addresses at these positions, with one statement; none when there are
     * none.
     */
    private List<Found> resolve(
            TenantScope scope,
            String sql,
            List<Integer> positions,
            List<String> texts,
            List<InetAddress> addresses,
            @Nullable Long locationId,
            @Nullable Instant at,
            Instant now,
            Instant cutoff,
            Duration timeout) {
        if (positions.isEmpty()) {
            return List.of();
        }
        String[] canonical =
                positions.stream()
                        .map(i -> addresses.get(i).getHostAddress())
                        .toArray(String[]::new);
        List<Found> holders = new ArrayList<>();
        jdbc.execute(
                connection -> {
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
                                st.setArray(
                                        ++i,
                                        connection.createArrayOf(
                                                "bigint",
                                                scope.locationIds().toArray(Long[]::new)));
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
                                int asked = positions.get(rs.getInt("ord") - 1);
                                holders.add(
                                        new Found(
                                                asked, holder(rs, texts.get(asked), now, cutoff)));
                            }
                        }
                    }
                    return null;
                });
        return holders;
    }

    private static IpHolder holder(ResultSet rs, String asked, Instant now, Instant cutoff)
            throws java.sql.SQLException {
        Instant start = SqlTimes.instant(rs, "start_time");
        Instant lastUpdate = SqlTimes.instant(rs, "last_update");
        Instant end = SqlTimes.instant(rs, "end_time");
        Instant effectiveEnd = Online.effectiveEnd(end, lastUpdate, now, cutoff);
        String username =
                rs.getString("session_username") != null
                        ? rs.getString("session_username")
                        : rs.getString("guest_username");
        return new IpHolder(
                asked,
                username,
                rs.getString("name"),
                rs.getString("email"),
                Math.max(0, Duration.between(start, effectiveEnd).getSeconds()));
    }
}
