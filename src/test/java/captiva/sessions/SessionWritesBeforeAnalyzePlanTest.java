package captiva.sessions;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The session writers read each stored session they need by its key, one descent each, even before
 * the table's first ANALYZE, as in a new deployment's first minute or a resend to a restarted
 * instance. They name their tenant as a value (Citus sends a statement to one tenant's shards only
 * then); without statistics PostgreSQL takes {@code end_time IS NULL} for 0.5% of rows and a
 * tenant's sessions for a few, and may then read all of them for every row of a batch. 20,000 open
 * sessions of one tenant, never analyzed; the generic plans a pooled connection keeps are printed.
 */
@DisplayName("session writers' plans before the first ANALYZE")
class SessionWritesBeforeAnalyzePlanTest extends PlanTest {

    private static final int OPEN_SESSIONS = 20_000;
    private long tenantId;
    private long firstNasId;
    private long locationId;

    @BeforeAll
    void manyOpenSessionsNeverAnalyzed() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("ALTER TABLE session SET (autovacuum_enabled = false)");
            Tenant t = tenantWithVenues(st, "writes before analyze tenant", 1);
            tenantId = t.id();
            locationId = t.firstLocationId();
            firstNasId = nases(st, t, 10);
            st.execute(
                    """
                    INSERT INTO session (tenant_id, location_id, nas_id, acct_session_id, guest_device_mac,
                                         start_time, last_update)
                    SELECT %1$d, %2$d, %4$d + i %% 10, 'a' || i, CAST(lpad(to_hex(i), 12, '0') AS macaddr),
                           now() - interval '1 hour', now()
                    FROM generate_series(1, %3$d) i
                    """
                            .formatted(tenantId, t.firstLocationId(), OPEN_SESSIONS, firstNasId));
            st.execute("UPDATE tenant SET end_superseded_sessions = true WHERE id = " + tenantId);
        }
    }

    @Test
    void aStartFindsTheDevicesOpenSessionsAtTheNasInOneDescent() throws SQLException {
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        String plan =
                genericPlan(
                        SessionRecorder.END_SUPERSEDED,
                        "'{%d,%d}'".formatted(firstNasId, firstNasId + 1),
                        "'{00:00:00:00:00:2a,00:00:00:00:01:00}'",
                        "'{new-1,new-2}'",
                        "'{\"%s\",\"%s\"}'".formatted(now, now),
                        String.valueOf(tenantId),
                        String.valueOf(tenantId),
                        String.valueOf(tenantId));

        System.out.println(plan); // the plans, for the docs
        SupersededPlanTest.assertLookupDescendsByTenantDeviceAndNas(plan);
        assertTrue(
                plan.matches("(?s).*Index Scan using session_pkey on session s\\s.*"),
                "the superseded sessions must be updated by their keys:\n" + plan);
    }

    @Test
    void anUpsertReadsEachSessionByItsKey() throws SQLException {
        String now = "'{\"%s\"}'".formatted(OffsetDateTime.now(ZoneOffset.UTC));
        String none = "'{NULL}'";
        String plan =
                genericPlan(
                        VenueDays.logged(SessionRecorder.UPSERT_ROWS, false),
                        "'{%d}'".formatted(tenantId),
                        "'{%d}'".formatted(locationId),
                        "'{%d}'".formatted(firstNasId),
                        "'{a1}'",
                        none,
                        "'{00:00:00:00:00:01}'",
                        none,
                        now,
                        now,
                        none,
                        "'{0}'",
                        "'{0}'",
                        none,
                        none,
                        "'{-infinity}'",
                        none,
                        none,
                        none,
                        none,
                        none,
                        none,
                        none,
                        none,
                        none,
                        none,
                        none,
                        none,
                        String.valueOf(tenantId),
                        String.valueOf(tenantId),
                        String.valueOf(tenantId),
                        String.valueOf(tenantId),
                        String.valueOf(tenantId));

        System.out.println(plan); // the plans, for the docs
        assertFalse(
                plan.matches(
                        "(?s).*(on|using) session[^\\n]*\\n\\s+Index Cond: \\(tenant_id = \\$\\d+\\)\\n.*"),
                "no step may read all of the tenant's sessions:\n" + plan);
    }
}
