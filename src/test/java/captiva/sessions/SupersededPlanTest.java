package captiva.sessions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Start looks up the sessions it supersedes in one descent to the device's open sessions at the
 * NAS, not through the tenant's open sessions nor the device's history, on a table where regular
 * devices have long histories and a few guests are online, as at a venue. The plan is printed.
 */
@DisplayName("superseded-session query plan")
class SupersededPlanTest extends PlanTest {

    private static final int SESSIONS = 100_000;
    private static final int DEVICES = 2_000;
    private long tenantId;
    private long firstNasId;

    /** 100,000 sessions of 2,000 devices at 10 NAS of one venue; every hundredth still open. */
    @BeforeAll
    void venueWithRegulars() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            Tenant t = tenantWithVenues(st, "superseded plan tenant", 1);
            tenantId = t.id();
            firstNasId = nases(st, t, 10);
            st.execute(
                    """
                    INSERT INTO session (tenant_id, location_id, nas_id, acct_session_id, guest_device_mac,
                                         start_time, last_update, end_time)
                    SELECT %1$d, %2$d, %5$d + i %% 10, 'a' || i,
                           CAST(lpad(to_hex(i %% %3$d), 12, '0') AS macaddr),
                           now() - i * interval '1 minute', now() - i * interval '1 minute' + interval '20 minutes',
                           CASE WHEN i %% 100 = 0 THEN NULL ELSE now() - i * interval '1 minute' + interval '20 minutes' END
                    FROM generate_series(1, %4$d) i
                    """
                            .formatted(
                                    tenantId, t.firstLocationId(), DEVICES, SESSIONS, firstNasId));
            st.execute("UPDATE tenant SET end_superseded_sessions = true WHERE id = " + tenantId);
            st.execute("ANALYZE");
        }
    }

    @Test
    void aStartFindsTheDevicesOpenSessionsAtTheNasInOneDescent() throws SQLException {
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        String plan =
                plan(
                        SessionRecorder.END_SUPERSEDED,
                        new long[] {firstNasId, firstNasId + 1},
                        new String[] {"00:00:00:00:00:2a", "00:00:00:00:01:00"},
                        new String[] {"new-1", "new-2"},
                        new String[] {now, now},
                        tenantId,
                        tenantId,
                        tenantId);

        assertIndexScans(
                "a Start: the sessions it supersedes", plan, "session_tenant_open_device_id_idx");
        assertLookupDescendsByTenantDeviceAndNas(plan);
    }

    /**
     * {@link SessionRecorder#END_SUPERSEDED}'s lookup of a device's open sessions at its NAS reads
     * V62's index by tenant, device and NAS, with or without statistics.
     */
    static void assertLookupDescendsByTenantDeviceAndNas(String plan) {
        assertTrue(
                plan.matches(
                        "(?s).*Index Scan using session_tenant_open_device_id_idx on session o\\s+"
                                + "\\([^\\n]*\\n\\s+Index Cond: \\(\\(tenant_id = [^\\n]*guest_device_mac = [^\\n]*nas_id = .*"),
                "the lookup must descend by tenant, device and NAS:\n" + plan);
    }
}
