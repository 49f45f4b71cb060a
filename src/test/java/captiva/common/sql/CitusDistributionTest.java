package captiva.common.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import captiva.testing.ApiTest;
import captiva.testing.TestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The service distributes its tables by itself on Citus and does nothing on a single PostgreSQL. It
 * starts the service (an {@link ApiTest}) so that the schema is migrated, and distributed, as a
 * start does it. Each test is for one kind of database and is skipped on the other: CI has a single
 * PostgreSQL, a Citus coordinator is a check run by hand ({@code CAPTIVA_TEST_DATABASE_URL}, see
 * docs/citus.md).
 */
@MicronautTest(transactional = false)
@DisplayName("distribution on Citus")
class CitusDistributionTest extends ApiTest {

    @Test
    void onASinglePostgresqlNothingIsDistributed() throws SQLException {
        assumeFalse(TestDatabase.isCitus(), "the test database is Citus");

        try (Connection c = TestDatabase.connect()) {
            assertEquals(new CitusDistribution.Outcome.NotCitus(), CitusDistribution.distribute(c));
        }
    }

    @Test
    void onCitusEveryTableIsPlacedAsDeclared() throws SQLException {
        assumeTrue(TestDatabase.isCitus(), "the test database is a single PostgreSQL");

        Map<String, String> placement = new TreeMap<>();
        Set<String> colocationGroups = new TreeSet<>();
        try (Connection c = TestDatabase.connect();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        """
                        SELECT c.relname,
                               EXISTS (SELECT 1 FROM pg_attribute a
                                       WHERE a.attrelid = c.oid AND a.attname = 'tenant_id') AS tenant_owned,
                               p.partmethod, column_to_column_name(p.logicalrelid, p.partkey) AS column,
                               p.colocationid
                        FROM pg_class c LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
                        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
                          AND NOT c.relispartition
                        """)) {
            while (rs.next()) {
                String table = rs.getString("relname");
                String method = rs.getString("partmethod");
                String expected =
                        CitusDistribution.LOCAL_TABLES.contains(table)
                                ? "local"
                                : CitusDistribution.REFERENCE_TABLES.contains(table)
                                        ? "reference"
                                        : rs.getBoolean("tenant_owned")
                                                ? "distributed by tenant_id"
                                                : "undeclared";
                String actual =
                        method == null
                                ? "local"
                                : "h".equals(method)
                                        ? "distributed by " + rs.getString("column")
                                        : "n".equals(method) ? "reference" : "method " + method;
                if (!expected.equals(actual)) {
                    placement.put(table, actual + ", expected " + expected);
                }
                if ("h".equals(method)) {
                    colocationGroups.add(rs.getString("colocationid"));
                }
            }
        }

        assertEquals(Map.of(), placement, "tables not placed as declared");
        assertEquals(1, colocationGroups.size(), "co-location groups " + colocationGroups);
    }

    @Test
    void onCitusASecondRunHasNothingLeftToDo() throws SQLException {
        assumeTrue(TestDatabase.isCitus(), "the test database is a single PostgreSQL");

        try (Connection c = TestDatabase.connect()) {
            assertEquals(
                    new CitusDistribution.Outcome.Distributed(List.of(), List.of()),
                    CitusDistribution.distribute(c));
        }
    }
}
