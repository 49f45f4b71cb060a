package captiva.sessions.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.sessions.load.ReadBenchmark.Result;
import captiva.testing.ApiTest;
import captiva.testing.TestDatabase;
import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The read benchmark kit at a small scale, so that it cannot rot: the generator loads 20,000
 * sessions into the test database, and the benchmark runs every query type for half a second
 * against this service and against the SQL floor. Asserts only that everything answered and that
 * the API and the SQL agree; never how fast (figures belong in BENCHMARKS.md).
 */
@MicronautTest(transactional = false)
// the benchmark asks one chain's statistics at concurrency 2: the per-tenant cap would refuse the
// second
@Property(name = "captiva.wide-reads.max-per-tenant", value = "2")
class ReadBenchmarkSmokeTest extends ApiTest {

    private static final int SESSIONS = 20_000;

    @Test
    void generatesAChainAndBenchmarksEveryReadAgainstItsSql() throws Exception {
        SessionGenerator.Generated generated;
        try (Connection c = TestDatabase.connect()) {
            generated =
                    SessionGenerator.load(c, new SessionGenerator.Config(SESSIONS, 100, 7, false));
            assertEquals(
                    List.of((long) SESSIONS, SESSIONS / 100L),
                    counts(c, generated.tenantIds()),
                    "sessions, and open ones, of the generated tenants");
            assertEquals(
                    0,
                    venueDaysNeitherRolledUpNorLogged(c, generated.tenantIds()),
                    "the statistics would read those days as empty");
        }
        Map<String, String> db = TestDatabase.properties();
        List<Result> results =
                ReadBenchmark.run(
                        new ReadBenchmark.Options(
                                server.getURL().toString(),
                                ADMIN_TOKEN,
                                db.get("datasources.default.url"),
                                db.get("datasources.default.username"),
                                db.get("datasources.default.password"),
                                2,
                                Duration.ofMillis(600),
                                Duration.ZERO,
                                Duration.ofMillis(500),
                                7,
                                List.of(),
                                generated.tenantIds()));

        List<String> types = results.stream().map(Result::type).toList();
        assertTrue(
                types.containsAll(
                        List.of(
                                "list",
                                "list location",
                                "list mac",
                                "list online",
                                "list day",
                                "list page 1000",
                                "count online location",
                                "count online busiest venue",
                                "count day location",
                                "count mac",
                                "ips 1",
                                "ips 10",
                                "ips 100",
                                "statistics day venue",
                                "statistics month venue",
                                "statistics year chain")),
                types.toString());
        for (Result r : results) {
            assertEquals(0, r.api().failures(), r.type() + ": " + r.api().firstFailure());
            assertEquals(0, r.sql().failures(), r.type() + ": " + r.sql().firstFailure());
            assertTrue(
                    r.api().requests() > 0 && r.sql().requests() > 0,
                    r.type() + " was not measured");
            assertEquals(
                    List.of(),
                    r.mismatches(),
                    r.type() + ": the API and its SQL answered differently");
        }
    }

    private static long venueDaysNeitherRolledUpNorLogged(Connection c, List<Long> tenantIds)
            throws Exception {
        try (PreparedStatement st =
                c.prepareStatement(
                        """
                SELECT count(*) FROM (
                    SELECT DISTINCT s.tenant_id, s.location_id, (s.start_time AT TIME ZONE l.time_zone)::date AS day
                    FROM session s JOIN location l ON l.tenant_id = s.tenant_id AND l.id = s.location_id
                    WHERE s.tenant_id = ANY (?) AND s.end_time IS NOT NULL) d
                WHERE NOT EXISTS (SELECT 1 FROM venue_day_dirty x WHERE (x.tenant_id, x.location_id, x.day) = (d.tenant_id, d.location_id, d.day))
                  AND NOT EXISTS (SELECT 1 FROM venue_day v WHERE (v.tenant_id, v.location_id, v.day) = (d.tenant_id, d.location_id, d.day))
                """)) {
            st.setArray(1, c.createArrayOf("bigint", tenantIds.toArray(Long[]::new)));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Sessions of the tenants, and how many of them the API would call online. */
    private static List<Long> counts(Connection c, List<Long> tenantIds) throws Exception {
        SessionGenerator.refreshOnline(c, tenantIds);
        try (PreparedStatement st =
                c.prepareStatement(
                        """
                SELECT count(*), count(*) FILTER (WHERE end_time IS NULL AND last_update > now() - interval '660 seconds')
                FROM session WHERE tenant_id = ANY (?)
                """)) {
            st.setArray(1, c.createArrayOf("bigint", tenantIds.toArray(Long[]::new)));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return List.of(rs.getLong(1), rs.getLong(2));
            }
        }
    }
}
