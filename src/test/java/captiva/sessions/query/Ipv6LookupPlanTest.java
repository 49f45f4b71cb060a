package captiva.sessions.query;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.sql.SqlTimes;
import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * GET /sessions/{ips} for IPv6 addresses probes the tenant-led indexes of V42: the GiST indexes on
 * the prefixes for containment, the B-trees for the exact addresses, never a scan of the table. The
 * plan is printed for docs/radius.md.
 */
@DisplayName("IPv6 lookup plan")
class Ipv6LookupPlanTest extends PlanTest {

    private static final int SESSIONS = 100_000;
    private long tenantId;

    /**
     * Two tenants with 50,000 sessions each over ~35 days: every device has an IPv4 address, a /64
     * of 5,000 and its own address in it; one in ten also a delegated /56. One in four of the last
     * 10,000 is still open.
     */
    @BeforeAll
    void manyDualStackSessions() throws SQLException {
        try (Connection c = connect();
                java.sql.Statement st = c.createStatement()) {
            for (int tenant = 0; tenant < 2; tenant++) {
                Tenant t = tenantWithVenues(st, "ipv6 plan tenant", 1);
                tenantId = t.id();
                st.execute(
                        """
                        INSERT INTO session (tenant_id, location_id, guest_device_ip, framed_ipv6_address, framed_ipv6_prefix,
                                             delegated_ipv6_prefix, start_time, last_update, end_time)
                        SELECT %1$d, %2$d, inet '10.0.0.0' + (i %% 5000),
                               CAST('2001:db8:' || to_hex(i %% 5000) || ':1::' || to_hex(i %% 65536) AS inet),
                               CAST('2001:db8:' || to_hex(i %% 5000) || ':1::/64' AS inet),
                               CASE WHEN i %% 10 = 0 THEN CAST('2001:db8:' || to_hex(40000 + i %% 5000) || ':ff00::/56' AS inet) END,
                               now() - i * interval '30 seconds',
                               CASE WHEN i %% 4 = 0 AND i < 10000 THEN now() ELSE now() - i * interval '30 seconds' + interval '20 minutes' END,
                               CASE WHEN i %% 4 = 0 AND i < 10000 THEN NULL ELSE now() - i * interval '30 seconds' + interval '20 minutes' END
                        FROM generate_series(1, %3$d) i
                        """
                                .formatted(tenantId, t.firstLocationId(), SESSIONS / 2));
            }
            st.execute("ANALYZE session");
        }
    }

    @Test
    void anIpv6AddressProbesThePrefixIndexesAndTheAddressIndexes() throws SQLException {
        String sql =
                "EXPLAIN "
                        + String.format(
                                IpHolderLookup.NOW_IPV6,
                                IpHolderLookup.HOLDER_FIELDS_IPV6,
                                "",
                                IpHolderLookup.ONLINE);
        String plan;
        try (Connection c = connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setArray(
                    1,
                    c.createArrayOf(
                            "text",
                            new String[] {"2001:db8:2a:1:abcd::1", "2001:db8:9c4a:ff42::9"}));
            st.setLong(2, tenantId);
            st.setObject(3, SqlTimes.offset(Instant.now().minusSeconds(660)));
            st.setLong(4, tenantId);
            plan = text(st);
        }

        System.out.println("-- GET /sessions/{ipv6}\n" + plan);
        assertFalse(plan.contains("Seq Scan on session"), plan);
        assertFalse(
                plan.contains("session_tenant_started_idx"),
                "walks the tenant's sessions in start order:\n" + plan);
        for (String index :
                new String[] {
                    "session_tenant_ipv6_prefix_idx",
                    "session_tenant_delegated_prefix_idx",
                    "session_tenant_ipv6_address_idx"
                }) {
            assertTrue(plan.contains(index), "does not use " + index + ":\n" + plan);
        }
    }
}
