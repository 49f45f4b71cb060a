package captiva.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.ApiTest;
import captiva.testing.Http;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes probes: liveness must not follow the database (a restart does not fix it), readiness
 * must.
 */
@DisplayName("liveness and readiness probes")
class ProbesTest {

    @Test
    void withTheDatabaseUnreachableTheProcessIsAliveButNotReady() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Map<String, Object> properties =
                Map.of(
                        "datasources.default.url",
                                "jdbc:postgresql://127.0.0.1:" + closedPort + "/captiva",
                        "datasources.default.username", "captiva",
                        "datasources.default.password", "none",
                        // Start without the database: no migration, no pool check at start, fail
                        // fast when asked.
                        "datasources.default.initialization-fail-timeout", "-1",
                        "datasources.default.connection-timeout", "250",
                        "flyway.datasources.default.enabled", "false",
                        "captiva.admin.token", ApiTest.ADMIN_TOKEN,
                        "micronaut.server.port", "-1");
        try (EmbeddedServer server =
                ApplicationContext.run(EmbeddedServer.class, properties, "test")) {
            Http http = new Http(server.getURL().toString());

            assertEquals(200, http.get("/health/liveness").status());
            assertEquals(503, http.get("/health/readiness").status());
            assertEquals(503, http.get("/health").status());
        }
    }
}
