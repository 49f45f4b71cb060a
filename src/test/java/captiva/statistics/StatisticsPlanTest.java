package captiva.statistics;

import captiva.common.query.TimeBound;
import captiva.sessions.SessionFilter;
import captiva.tenancy.TenantScope;
import captiva.testing.PlanTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A chain's year judges its venue-days by their figures alone: one range of the figures' index, not
 * the rows with their compact forms and arrays (BENCHMARKS.md: a sequential scan of 614 MB at
 * 10,000,000 sessions). The plan is printed.
 */
@DisplayName("statistics query plans")
class StatisticsPlanTest extends PlanTest {

    private static final int VENUES = 100;
    private static final LocalDate FIRST_DAY = LocalDate.parse("2024-01-01");
    private static final int DAYS = 3 * 365;

    private Tenant chain;

    /**
     * A chain's three years of venue-days, each as wide as a real one (arrays of a few dozen guests
     * and their presence), all visible to every transaction, as ended days are.
     */
    @BeforeAll
    void threeYearsOfVenueDays() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            chain = tenantWithVenues(st, "statistics plan chain", VENUES);
            st.execute(
                    """
                    INSERT INTO venue_day (tenant_id, location_id, day, sessions, total_duration_seconds, downloaded_bytes,
                                           uploaded_bytes, first_start, last_start, last_end, durations, guests, devices,
                                           presence_guests, presence_from, presence_to, compact_hash)
                    SELECT %1$d, l.id, d.day, 40, 40 * 1800, 40 * 1000000, 40 * 100000,
                           d.day + time '08:00' AT TIME ZONE 'UTC', d.day + time '20:00' AT TIME ZONE 'UTC',
                           d.day + time '21:00' AT TIME ZONE 'UTC', a.durations, a.guests, '{}', a.guests, a.times, a.times,
                           venue_day_contents_hash(a.durations, a.guests, '{}', a.guests, a.times, a.times)
                    FROM location l
                    CROSS JOIN (SELECT (DATE '%2$s' + i) AS day FROM generate_series(0, %3$d - 1) i) d
                    CROSS JOIN LATERAL (
                        SELECT ARRAY(SELECT 1800 + g::bigint FROM generate_series(1, 40) g) AS durations,
                               ARRAY(SELECT 'g' || (l.id * 100 + g) FROM generate_series(1, 40) g) AS guests,
                               ARRAY(SELECT d.day + time '09:00' AT TIME ZONE 'UTC' FROM generate_series(1, 40) g) AS times
                    ) a
                    WHERE l.tenant_id = %1$d
                    """
                            .formatted(chain.id(), FIRST_DAY, DAYS));
            st.execute("VACUUM ANALYZE");
        }
    }

    @Test
    void aChainsYearReadsTheFiguresIndexAlone() throws SQLException {
        TimeBound start = new TimeBound(LocalDate.parse("2025-01-01"), null);
        TimeBound end = new TimeBound(LocalDate.parse("2025-12-31"), null);
        SessionFilter year = new SessionFilter(null, null, null, start, end, null, null, false);
        ZoneId utc = ZoneOffset.UTC;
        Instant now = Instant.parse("2026-06-01T12:00:00Z");
        String plan =
                plan(
                        SessionStatistics.statement(
                                TenantScope.wholeTenant(chain.id()),
                                year,
                                GroupBy.LOCATION,
                                utc,
                                start.from(utc),
                                end.until(utc),
                                now,
                                now.minusSeconds(600),
                                utc));
        assertNoScanOf(
                "venue_day",
                "a chain's year of statistics by venue",
                plan,
                "Index Only Scan using venue_day_figures_idx");
    }
}
