package captiva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Http;
import captiva.testing.PackagedJar;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Starts the shaded jar with {@code java -jar}, configured only through environment variables, as a
 * deployment would: tests on the classpath cannot catch a jar that fails to start.
 */
@DisplayName("the packaged jar")
class PackagedJarIT {

    private static final String ADMIN = "it-admin-token-0123456789abcdef01234";
    private PackagedJar jar;
    private Http http;

    @BeforeAll
    void start() {
        int port = PackagedJar.freeTcpPort();
        Map<String, String> db = TestDatabase.properties();
        jar =
                PackagedJar.start(
                        Map.of(
                                "DATASOURCES_DEFAULT_URL", db.get("datasources.default.url"),
                                "DATASOURCES_DEFAULT_USERNAME",
                                        db.get("datasources.default.username"),
                                "DATASOURCES_DEFAULT_PASSWORD",
                                        db.get("datasources.default.password"),
                                "CAPTIVA_ADMIN_TOKEN", ADMIN,
                                "MICRONAUT_SERVER_PORT", Integer.toString(port),
                                "CAPTIVA_RATE_LIMIT_DEFAULT_PER_MINUTE", "7",
                                "CAPTIVA_RADIUS_ACCOUNTING_PORT", "0"),
                        Duration.ofSeconds(90));
        http = new Http("http://127.0.0.1:" + port);
    }

    @AfterAll
    void stop() {
        if (jar != null) {
            jar.stop(Duration.ofSeconds(20));
        }
    }

    @Test
    void servesHealthAndTheApiWithSettingsFromTheEnvironment() {
        assertEquals(200, http.get("/health").status(), jar.output());

        String tenant =
                http.post(
                                "/admin/tenants",
                                Map.of("name", "Jar Co", "time_zone", "UTC"),
                                "Authorization",
                                "Bearer " + ADMIN)
                        .json()
                        .get("id")
                        .asText();
        String location =
                http.post(
                                "/admin/tenants/" + tenant + "/locations",
                                Map.of("name", "Lobby", "time_zone", "UTC"),
                                "Authorization",
                                "Bearer " + ADMIN)
                        .json()
                        .get("id")
                        .asText();
        String key =
                http.post(
                                "/admin/tenants/" + tenant + "/api-keys",
                                Map.of("name", "r", "scopes", List.of("sessions:read")),
                                "Authorization",
                                "Bearer " + ADMIN)
                        .json()
                        .get("key")
                        .asText();
        http.post(
                "/admin/tenants/" + tenant + "/sessions",
                List.of(
                        Map.of(
                                "location_id",
                                location,
                                "start_time",
                                "2024-01-01T10:00:00Z",
                                "guest_device_ip",
                                "10.0.0.1")),
                "Authorization",
                "Bearer " + ADMIN);

        Http.Response sessions = http.get("/sessions", "Authorization", "Bearer " + key);

        assertEquals(200, sessions.status(), sessions.body());
        assertEquals("7", sessions.header("X-RateLimit-Limit").orElseThrow());
        JsonNode data = sessions.json().get("data");
        assertEquals(1, data.size());
        assertTrue(jar.output().lines().noneMatch(line -> line.contains("ERROR")), jar.output());
    }
}
