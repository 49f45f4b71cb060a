package captiva.sessions.query;

import captiva.common.query.TimeBound;
import captiva.common.sql.Statement;
import captiva.tenancy.TenantScope;
import captiva.testing.TestDatabase;
import io.micronaut.flyway.FlywayMigrator;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A day's count at a venue (start_time and end_time the same day) must bound the index range on
 * both sides of start_time, or it reads every session of the venue since that day: 1.3 s at a busy
 * venue of 10,000,000 sessions (issue 6, BENCHMARKS.md).
 */
@MicronautTest(transactional = false, startApplication = false)
@DisplayName("day count plan")
class DayCountPlanTest implements TestPropertyProvider {

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    @Test
    void aDayCountReadsOnlyThatDay(FlywayMigrator migrated) throws SQLException {
        TimeBound day = new TimeBound(LocalDate.now(ZoneOffset.UTC).minusDays(300), null);
        SessionFilter filter = new SessionFilter(null, 1L, null, day, day, null, null, false);
        Statement count = SessionQueries.matching(SessionQueries.COUNT, TenantScope.wholeTenant(1), filter, ZoneOffset.UTC, Instant.now().minusSeconds(660));
        StringBuilder plan = new StringBuilder();
        try (Connection c = TestDatabase.connect(); PreparedStatement st = count.prepare(c, "EXPLAIN ");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        String indexCondition = plan.toString().lines().filter(line -> line.contains("Index Cond")).findFirst().orElse("");
        assertTrue(indexCondition.contains("start_time >=") && indexCondition.contains("start_time <"), plan.toString());
    }
}
