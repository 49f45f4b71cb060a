package captiva.sessions;

/**
 * The latest login of a session, as SQL: of the venue's logins of the session's username and of its
 * device, the newest no later than the end of the session's login window ({@code
 * login_window_end}). The one definition the code uses; it is written out in each statement rather
 * than kept as a SQL function because Citus cannot plan a function that reads a distributed table
 * when it is called with a row's columns. One index descent for the username and one for the MAC.
 */
public final class LatestLogin {

    private LatestLogin() {}

    /**
     * A subquery (in parentheses) answering at most one row of {@code login}: the latest login at
     * the venue of the username or the device no later than {@code noLaterThan}. Each argument is
     * an SQL expression; give {@code tenant} as a parameter or constant, so that Citus keeps the
     * statement on the tenant's shard.
     */
    public static String of(
            String tenant, String location, String username, String mac, String noLaterThan) {
        return """
                (SELECT c.* FROM (
                    (SELECT x.* FROM login x
                     WHERE x.tenant_id = %1$s AND x.location_id = %2$s AND x.username = %3$s
                       AND x.login_time <= %5$s
                     ORDER BY x.login_time DESC, x.id DESC LIMIT 1)
                    UNION ALL
                    (SELECT x.* FROM login x
                     WHERE x.tenant_id = %1$s AND x.location_id = %2$s AND x.guest_device_mac = %4$s
                       AND x.login_time <= %5$s
                     ORDER BY x.login_time DESC, x.id DESC LIMIT 1)) c
                 ORDER BY c.login_time DESC, c.id DESC LIMIT 1)"""
                .formatted(tenant, location, username, mac, noLaterThan);
    }
}
