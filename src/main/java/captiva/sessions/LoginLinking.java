package captiva.sessions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
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
 * advisory lock. Locations are locked in key order, so two writers never wait for each other in a
 * cycle on them.
 */
public final class LoginLinking {

    private static final String LOCK =
            """
            SELECT 1 FROM location l
            JOIN unnest(CAST(? AS bigint[]), CAST(? AS bigint[])) AS k(tenant_id, id)
              ON l.tenant_id = k.tenant_id AND l.id = k.id
            ORDER BY l.tenant_id, l.id
            """;

    /**
     * The latest login of a session row {@code e} being inserted (columns tenant_id, location_id,
     * username, start_time, end_time; the MAC given after), joined as {@code l}: V4's rule, which
     * its trigger applied until V59. Fields the writer left null are filled from it.
     */
    static String latestLogin(String mac) {
        return "LEFT JOIN LATERAL "
                + LatestLogin.of(
                        "e.tenant_id",
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
        if (sorted.isEmpty()) {
            return;
        }
        Long[] tenants = new Long[sorted.size()];
        Long[] locations = new Long[sorted.size()];
        int i = 0;
        for (Venue v : sorted) {
            tenants[i] = v.tenantId();
            locations[i++] = v.locationId();
        }
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setArray(1, connection.createArrayOf("bigint", tenants));
            st.setArray(2, connection.createArrayOf("bigint", locations));
            st.execute();
        }
    }
}
