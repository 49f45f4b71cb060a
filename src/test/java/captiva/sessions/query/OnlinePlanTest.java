package captiva.sessions.query;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.sql.Statement;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A page of online sessions, as production sees it: the open sessions were heard of again (Interim-
 * Updates) after the last ANALYZE, so the statistics say that none is online. The page must still
 * walk the open sessions in start order and stop, not read and sort all of them (issue 6: 0.7 to
 * 2.5 s a page at 10,000,000 sessions, see BENCHMARKS.md).
 */
@DisplayName("online page plan")
class OnlinePlanTest extends PlanTest {

    private long tenantId;

    /**
     * 100,000 closed sessions over a year at 20 venues, 5,000 open ones last heard of an hour
     * before ANALYZE.
     */
    @BeforeAll
    void openSessionsHeardOfSinceTheLastAnalyze() throws SQLException {
        try (Connection c = connect();
                java.sql.Statement st = c.createStatement()) {
            ResultSet t =
                    st.executeQuery(
                            "INSERT INTO tenant (name, time_zone) VALUES ('online plan tenant', 'UTC') RETURNING id");
            t.next();
            tenantId = t.getLong(1);
            st.execute(
                    "INSERT INTO location (tenant_id, name, time_zone) SELECT "
                            + tenantId
                            + ", 'venue ' || i, 'UTC' FROM generate_series(1, 20) i");
            st.execute(
                    """
                    INSERT INTO session (tenant_id, location_id, start_time, last_update, end_time)
                    SELECT %1$d, (SELECT min(id) FROM location WHERE tenant_id = %1$d) + i %% 20,
                           now() - interval '1 year' + i * interval '5 minutes',
                           now() - interval '1 year' + i * interval '5 minutes' + interval '30 minutes',
                           CASE WHEN i > 100000 THEN NULL ELSE now() - interval '1 year' + i * interval '5 minutes' + interval '30 minutes' END
                    FROM generate_series(1, 105000) i
                    """
                            .formatted(tenantId));
            st.execute(
                    "UPDATE session SET start_time = now() - interval '3 hours' + (id % 5000) * interval '1 second', "
                            + "last_update = now() - interval '1 hour' WHERE tenant_id = "
                            + tenantId
                            + " AND end_time IS NULL");
            st.execute("ANALYZE session");
            st.execute(
                    "UPDATE session SET last_update = now() WHERE tenant_id = "
                            + tenantId
                            + " AND end_time IS NULL");
        }
    }

    @Test
    void onlinePageWalksOpenSessionsInStartOrder() throws SQLException {
        SessionFilter online = new SessionFilter(null, null, null, null, null, null, true, false);
        Statement page =
                SessionSelection.matching(
                                SessionQueries.ROWS,
                                TenantScope.wholeTenant(tenantId),
                                online,
                                ZoneOffset.UTC,
                                Instant.now().minusSeconds(660))
                        .add(SessionQueries.OLDEST_FIRST, 11, 0L);
        String plan = plan(page);

        assertTrue(plan.contains("session_tenant_open_started_idx"), plan);
        assertFalse(plan.toString().contains("Sort"), "sorts the tenant's open sessions:\n" + plan);
    }
}
