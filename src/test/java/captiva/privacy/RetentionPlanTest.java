package captiva.privacy;

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
 * The retention job's batches find their rows through indexes led by tenant_id, on tables big
 * enough that the planner would rather scan: a batch that scanned the table would hold its locks
 * for as long as the scan takes, which is what must not happen beside ingestion.
 */
@DisplayName("retention query plans")
class RetentionPlanTest extends PlanTest {

    private static final int ROWS = 100_000;
    private long tenantId;

    /**
     * Two tenants, each with sessions and logins every ten minutes over two years and a guest per
     * ten sessions.
     */
    @BeforeAll
    void bigTables() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            for (int tenant = 0; tenant < 2; tenant++) {
                Tenant t = tenantWithVenues(st, "retention plan", 1);
                tenantId = t.id();
                long location = t.firstLocationId();
                st.execute(
                        """
                        INSERT INTO guest (tenant_id, email, created_at)
                        SELECT %1$d, 'g' || i || '@example.com', now() - i * interval '100 minutes' FROM generate_series(1, %3$d / 10) i;
                        INSERT INTO session (tenant_id, location_id, guest_id, start_time, last_update, end_time)
                        SELECT %1$d, %2$d, CASE WHEN i %% 10 = 0 THEN (SELECT min(id) FROM guest WHERE tenant_id = %1$d) + i / 10 - 1 END,
                               now() - i * interval '10 minutes', now() - i * interval '10 minutes' + interval '5 minutes',
                               now() - i * interval '10 minutes' + interval '5 minutes'
                        FROM generate_series(1, %3$d) i;
                        INSERT INTO login (tenant_id, location_id, username, login_time)
                        SELECT %1$d, %2$d, 'room-' || (i %% 500), now() - i * interval '10 minutes' FROM generate_series(1, %3$d) i;
                        """
                                .formatted(tenantId, location, ROWS));
            }
            st.execute("ANALYZE");
        }
    }

    private static OffsetDateTime thirteenMonthsAgo() {
        return OffsetDateTime.now(ZoneOffset.UTC).minusMonths(13);
    }

    @Test
    void expiredSessionsAreFoundByTheStartIndex() throws SQLException {
        assertNoTableScan(
                "retention: sessions",
                plan(
                        RetentionJob.DELETE_SESSIONS,
                        tenantId,
                        tenantId,
                        thirteenMonthsAgo(),
                        thirteenMonthsAgo(),
                        1000),
                "session_tenant_started_idx");
    }

    @Test
    void expiredLoginsAreFoundByTheTimeIndex() throws SQLException {
        assertNoTableScan(
                "retention: logins",
                plan(RetentionJob.DELETE_LOGINS, tenantId, tenantId, thirteenMonthsAgo(), 1000),
                "login_tenant_time_idx");
    }

    @Test
    void oldGuestsAreWalkedInIdOrderAndTheirReferencesProbed() throws SQLException {
        assertNoTableScan(
                "retention: guests",
                plan(
                        RetentionJob.DELETE_GUESTS,
                        tenantId,
                        0L,
                        thirteenMonthsAgo(),
                        1000,
                        tenantId,
                        tenantId),
                "guest_pkey");
    }
}
