package captiva.sessions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Makes a login and the sessions of its device or username at a venue find each other whichever
 * commits first, even when both are written at once: a session insert looks for its login (the
 * insert statements fill it, V59) and a new login links the sessions already stored (LoginStore),
 * and without this each could miss the other while both are in flight.
 *
 * <p>Session writers lock their venues' location rows FOR SHARE, which never waits for another
 * session writer; a login writer locks its venues FOR NO KEY UPDATE before it links, which waits
 * for the session writers holding them and makes later ones wait for it. Under READ COMMITTED the
 * statements after the wait see what the other committed. The lock is on a tenant's own row (its
 * key includes tenant_id), so it lives wherever the tenant's sessions and logins do, unlike an
 * advisory lock. Locations are locked in key order (tenant, then location), one statement per
 * tenant, so two writers never wait for each other in a cycle on them.
 */
public final class LoginLinking {

    /**
     * One tenant's venues: Citus takes row locks only in a statement that it sends to one shard
     * group, so a batch of several tenants locks them tenant by tenant.
     */
    private static final String LOCK =
            """
            SELECT 1 FROM location l
            WHERE l.tenant_id = ? AND l.id = ANY (CAST(? AS bigint[]))
            ORDER BY l.id
            """;

    /**
     * The latest login of a session row {@code e} being inserted (columns location_id, username,
     * start_time, end_time; the tenant and the MAC given as SQL expressions), joined as {@code l}:
     * V4's rule, which its trigger applied until V59. Fields the writer left null are filled from
     * it. The tenant is a parameter ({@link LatestLogin#of}): it appears twice.
     */
    static String latestLogin(String tenant, String mac) {
        return "LEFT JOIN LATERAL "
                + LatestLogin.of(
                        tenant,
                        "e.location_id",
                        "e.username",
                        mac,
                        "login_window_end(e.start_time, e.end_time)")
                + " l ON true\n";
    }

    static final String FOR_SESSION_INSERTS = LOCK + "FOR SHARE OF l";

    static final String FOR_LINKING = LOCK + "FOR NO KEY UPDATE OF l";

    private LoginLinking() {}

    /** A venue of a tenant: the key of its location row. */
    public record Venue(long tenantId, long locationId) implements Comparable<Venue> {
        @Override
        public int compareTo(Venue o) {
            int byTenant = Long.compare(tenantId, o.tenantId);
            return byTenant != 0 ? byTenant : Long.compare(locationId, o.locationId);
        }
    }

    /**
     * Before inserting sessions at these venues, in the writer's transaction: waits for logins
     * being linked there to commit.
     */
    public static void beforeSessionInserts(Connection connection, Collection<Venue> venues)
            throws SQLException {
        lock(connection, FOR_SESSION_INSERTS, venues);
    }

    /**
     * Before linking the sessions of new logins at these venues, in the logins' transaction: waits
     * for session inserts in flight there to commit.
     */
    public static void beforeLinking(Connection connection, Collection<Venue> venues)
            throws SQLException {
        lock(connection, FOR_LINKING, venues);
    }

    private static void lock(Connection connection, String sql, Collection<Venue> venues)
            throws SQLException {
        TreeSet<Venue> sorted = new TreeSet<>(venues);
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            while (!sorted.isEmpty()) {
                long tenant = sorted.first().tenantId();
                NavigableSet<Venue> ofTenant =
                        sorted.headSet(new Venue(tenant, Long.MAX_VALUE), true);
                Long[] locations = ofTenant.stream().map(Venue::locationId).toArray(Long[]::new);
                st.setLong(1, tenant);
                st.setArray(2, connection.createArrayOf("bigint", locations));
                st.execute();
                ofTenant.clear();
            }
        }
    }
}
