package captiva.sessions.query;

import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.query.TimeBound;
import captiva.common.sql.Statement;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A day's count at a venue (start_time and end_time the same day) must bound the index range on
 * both sides of start_time, or it reads every session of the venue since that day: 1.3 s at a busy
 * venue of 10,000,000 sessions (issue 6, BENCHMARKS.md).
 */
@DisplayName("day count plan")
class DayCountPlanTest extends PlanTest {

    private long tenantId;
    private long locationId;

    /** Ten venues with a session every five minutes between them over the past ~350 days. */
    @BeforeAll
    void almostAYearAtTenVenues() throws SQLException {
        try (Connection c = connect();
                java.sql.Statement st = c.createStatement()) {
            Tenant t = tenantWithVenues(st, "day count plan tenant", 10);
            tenantId = t.id();
            locationId = t.firstLocationId();
            st.execute(
                    """
                    INSERT INTO session (tenant_id, location_id, start_time, last_update, end_time)
                    SELECT %1$d, %2$d + i %% 10, now() - i * interval '5 minutes', now() - i * interval '5 minutes' + interval '20 minutes',
                           now() - i * interval '5 minutes' + interval '20 minutes'
                    FROM generate_series(1, 100000) i
                    """
                            .formatted(tenantId, locationId));
            st.execute("ANALYZE");
        }
    }

    @Test
    void aDayCountReadsOnlyThatDay() throws SQLException {
        TimeBound day = new TimeBound(LocalDate.now(ZoneOffset.UTC).minusDays(300), null);
        SessionFilter filter =
                new SessionFilter(null, locationId, null, day, day, null, null, false);
        Statement count =
                SessionSelection.matching(
                        SessionQueries.COUNT,
                        TenantScope.wholeTenant(tenantId),
                        filter,
                        ZoneOffset.UTC,
                        Instant.now().minusSeconds(660));

        String plan = plan(count);

        String indexCondition =
                plan.lines().filter(line -> line.contains("Index Cond")).findFirst().orElse("");
        assertTrue(
                indexCondition.contains("start_time >=") && indexCondition.contains("start_time <"),
                plan);
    }
}
