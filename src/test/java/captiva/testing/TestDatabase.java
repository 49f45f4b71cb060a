package captiva.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * One real PostgreSQL for the whole test JVM, shared by every test context. Each test makes its own
 * tenants, so tests never see each other's data (which is the isolation the product promises).
 *
 * <ul>
 *   <li>{@code CAPTIVA_TEST_DATABASE_URL} (+ {@code _USERNAME}, {@code _PASSWORD}): that server;
 *   <li>else, where a Docker engine runs: a Testcontainers PostgreSQL;
 *   <li>else: an embedded PostgreSQL from binaries on the classpath (this machine, CI).
 * </ul>
 */
public final class TestDatabase {

    private static Map<String, String> properties;
    private static Boolean citus;

    private TestDatabase() {}

    public static synchronized Map<String, String> properties() {
        if (properties == null) {
            properties = start();
        }
        return properties;
    }

    /**
     * A plain JDBC connection to the test database, for tests that check or prepare rows directly.
     */
    public static Connection connect() throws SQLException {
        Map<String, String> db = properties();
        return DriverManager.getConnection(
                db.get("datasources.default.url"),
                db.get("datasources.default.username"),
                db.get("datasources.default.password"));
    }

    /**
     * Whether the test database is a Citus coordinator (it has the {@code citus} extension), for
     * the tests that hold only on one of a single PostgreSQL or Citus.
     */
    public static synchronized boolean isCitus() {
        if (citus == null) {
            try (Connection c = connect();
                    Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'citus'")) {
                citus = rs.next();
            } catch (SQLException e) {
                throw new IllegalStateException("Could not read the test database's extensions", e);
            }
        }
        return citus;
    }

    private static Map<String, String> start() {
        String url = System.getenv("CAPTIVA_TEST_DATABASE_URL");
        if (url != null && !url.isBlank()) {
            return datasource(
                    url,
                    System.getenv().getOrDefault("CAPTIVA_TEST_DATABASE_USERNAME", "postgres"),
                    System.getenv().getOrDefault("CAPTIVA_TEST_DATABASE_PASSWORD", ""));
        }
        if (dockerAvailable()) {
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return datasource(
                    container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        try {
                                            postgres.close();
                                        } catch (IOException ignored) {
                                            // the JVM is exiting; the data directory is temporary
                                        }
                                    }));
            return datasource(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL for tests", e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error noDocker) {
            return false;
        }
    }

    private static Map<String, String> datasource(String url, String username, String password) {
        return Map.of(
                "datasources.default.url",
                url,
                "datasources.default.username",
                username,
                "datasources.default.password",
                password);
    }
}
