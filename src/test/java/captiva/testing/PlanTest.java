package captiva.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The base of the {@code *PlanTest} classes, which load data and assert the plans PostgreSQL makes
 * for the statements they guard. Each class gets a database of its own on the test server, migrated
 * as the application migrates it and dropped afterwards: the planner's statistics are those of the
 * class's own data, so the rows other tests leave in the shared database cannot change a plan, and
 * a plan test cannot change another's. No Micronaut context: the statements are the application's
 * constants and builders, run on a plain connection. The plans are printed, for the docs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@NotOnCitus
public abstract class PlanTest {

    private static final Pattern DATABASE_IN_URL =
            Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");

    private String url;
    private String username;
    private String password;
    private String database;
    private String sharedUrl;

    /**
     * A database named for the shared one and the class, so that runs against other shared
     * databases do not meet.
     */
    @BeforeAll
    final void ownDatabase() throws SQLException {
        Map<String, String> shared = TestDatabase.properties();
        sharedUrl = shared.get("datasources.default.url");
        username = shared.get("datasources.default.username");
        password = shared.get("datasources.default.password");
        Matcher m = DATABASE_IN_URL.matcher(sharedUrl);
        if (!m.matches()) {
            throw new IllegalStateException("Not a PostgreSQL URL with a database: " + sharedUrl);
        }
        database = (m.group(2) + "_plan_" + getClass().getSimpleName()).toLowerCase(Locale.ROOT);
        url = m.group(1) + database + m.group(3);
        dropOwnDatabase();
        try (Connection c = DriverManager.getConnection(sharedUrl, username, password);
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        }
        Migrations.migrate(url, username, password);
    }

    @AfterAll
    final void dropOwnDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(sharedUrl, username, password);
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** A connection to this class's own database. */
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection(url, username, password);
    }

    /** Inserts a tenant with {@code venues} venues named {@code venue 1…n}, all in UTC. */
    protected static Tenant tenantWithVenues(Statement st, String name, int venues)
            throws SQLException {
        ResultSet t =
                st.executeQuery(
                        "INSERT INTO tenant (name, time_zone) VALUES ('"
                                + name
                                + "', 'UTC') RETURNING id");
        t.next();
        long tenantId = t.getLong(1);
        st.execute(
                "INSERT INTO location (tenant_id, name, time_zone) SELECT "
                        + tenantId
                        + ", 'venue ' || i, 'UTC' FROM generate_series(1, "
                        + venues
                        + ") i");
        ResultSet l = st.executeQuery("SELECT min(id) FROM location WHERE tenant_id = " + tenantId);
        l.next();
        return new Tenant(tenantId, l.getLong(1));
    }

    /** Inserts {@code count} NAS at the tenant's first venue; returns the first one's id. */
    protected static long nases(Statement st, Tenant tenant, int count) throws SQLException {
        st.execute(
                """
                INSERT INTO nas (tenant_id, location_id, ip_address, identifier, secret)
                SELECT %d, %d, CAST('10.9.0.' || i AS inet), 'plan-nas-' || i, 'secret'
                FROM generate_series(1, %d) i
                """
                        .formatted(tenant.id(), tenant.firstLocationId(), count));
        ResultSet nas = st.executeQuery("SELECT min(id) FROM nas WHERE tenant_id = " + tenant.id());
        nas.next();
        return nas.getLong(1);
    }

    /** A tenant's id and the id of its first venue (the others follow it). */
    protected record Tenant(long id, long firstLocationId) {}

    /** The plan of one of the application's statements. */
    protected String plan(captiva.common.sql.Statement statement) throws SQLException {
        return plan(statement, "EXPLAIN ");
    }

    /** The plan with the rows each step really read ({@code EXPLAIN (ANALYZE, TIMING OFF)}). */
    protected String analyzed(captiva.common.sql.Statement statement) throws SQLException {
        return plan(statement, "EXPLAIN (ANALYZE, TIMING OFF) ");
    }

    private String plan(captiva.common.sql.Statement statement, String explain)
            throws SQLException {
        try (Connection c = connect();
                PreparedStatement st = statement.prepare(c, explain)) {
            return text(st);
        }
    }

    /** The plan of a statement given as text, with its parameters in order. */
    protected String plan(String sql, Object... parameters) throws SQLException {
        try (Connection c = connect();
                PreparedStatement st = c.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < parameters.length; i++) {
                st.setObject(i + 1, parameters[i]);
            }
            return text(st);
        }
    }

    /**
     * The generic plan of a statement given as text ({@code plan_cache_mode = force_generic_plan}):
     * the plan a pooled connection keeps once it prepared the statement on the server, made without
     * the parameters' values. The parameters are SQL literals (arrays as {@code '{1,2}'}), in
     * order.
     */
    protected String genericPlan(String sql, String... literals) throws SQLException {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            numbered.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
        }
        if (n != literals.length) {
            throw new IllegalArgumentException(n + " parameters, " + literals.length + " given");
        }
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("SET plan_cache_mode = force_generic_plan");
            st.execute("PREPARE planned AS " + numbered);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs =
                    st.executeQuery(
                            "EXPLAIN EXECUTE planned(" + String.join(", ", literals) + ")")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }

    /** The lines of an EXPLAIN already bound, as one text. */
    protected static String text(PreparedStatement explain) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = explain.executeQuery()) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    /** Prints the plan, then fails if it scans the session table or misses one of the indexes. */
    protected static void assertIndexScans(String what, String plan, String... indexes) {
        assertPlan(what, plan, "Seq Scan on session", indexes);
    }

    /**
     * Prints the plan, then fails if it scans {@code table} (not a table whose name it begins) or
     * misses one of the indexes.
     */
    protected static void assertNoScanOf(
            String table, String what, String plan, String... indexes) {
        assertPlan(what, plan, "Seq Scan on " + table + " ", indexes);
    }

    /** Prints the plan, then fails if it scans any table or misses one of the indexes. */
    protected static void assertNoTableScan(String what, String plan, String... indexes) {
        assertPlan(what, plan, "Seq Scan", indexes);
    }

    private static void assertPlan(String what, String plan, String forbidden, String... indexes) {
        System.out.println("-- " + what + "\n" + plan);
        assertFalse(plan.contains(forbidden), what + " scans a table:\n" + plan);
        for (String index : indexes) {
            assertTrue(plan.contains(index), what + " does not use " + index + ":\n" + plan);
        }
    }
}
