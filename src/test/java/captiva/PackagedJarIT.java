package captiva;

import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts the shaded jar with {@code java -jar}, configured only through environment variables, as
 * a deployment would: tests on the classpath cannot catch a jar that fails to start.
 */
@DisplayName("the packaged jar")
class PackagedJarIT {

    private static final String ADMIN = "it-admin-token-0123456789abcdef01234";
    private Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Http http;

    @BeforeAll
    void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> db = TestDatabase.properties();
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-jar", System.getProperty("captiva.jar"))
                .redirectErrorStream(true);
        builder.environment().put("DATASOURCES_DEFAULT_URL", db.get("datasources.default.url"));
        builder.environment().put("DATASOURCES_DEFAULT_USERNAME", db.get("datasources.default.username"));
        builder.environment().put("DATASOURCES_DEFAULT_PASSWORD", db.get("datasources.default.password"));
        builder.environment().put("CAPTIVA_ADMIN_TOKEN", ADMIN);
        builder.environment().put("MICRONAUT_SERVER_PORT", Integer.toString(port));
        builder.environment().put("CAPTIVA_RATE_LIMIT_DEFAULT_PER_MINUTE", "7");
        builder.environment().put("CAPTIVA_RADIUS_ACCOUNTING_PORT", "0");
        process = builder.start();
        CompletableFuture.runAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        http = new Http("http://127.0.0.1:" + port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (output.stream().noneMatch(line -> line.contains("Startup completed"))) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new AssertionError("the jar did not start:\n" + String.join("\n", output));
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void servesHealthAndTheApiWithSettingsFromTheEnvironment() {
        assertEquals(200, http.get("/health").status(), String.join("\n", output));

        String tenant = http.post("/admin/tenants", Map.of("name", "Jar Co", "time_zone", "UTC"),
                "Authorization", "Bearer " + ADMIN).json().get("id").asText();
        String location = http.post("/admin/tenants/" + tenant + "/locations", Map.of("name", "Lobby", "time_zone", "UTC"),
                "Authorization", "Bearer " + ADMIN).json().get("id").asText();
        String key = http.post("/admin/tenants/" + tenant + "/api-keys", Map.of("name", "r", "scopes", List.of("sessions:read")),
                "Authorization", "Bearer " + ADMIN).json().get("key").asText();
        http.post("/admin/tenants/" + tenant + "/sessions",
                List.of(Map.of("location_id", location, "start_time", "2024-01-01T10:00:00Z", "guest_device_ip", "10.0.0.1")),
                "Authorization", "Bearer " + ADMIN);

        Http.Response sessions = http.get("/sessions", "Authorization", "Bearer " + key);

        assertEquals(200, sessions.status(), sessions.body());
        assertEquals("7", sessions.header("X-RateLimit-Limit").orElseThrow());
        JsonNode data = sessions.json().get("data");
        assertEquals(1, data.size());
        assertTrue(output.stream().noneMatch(line -> line.contains("ERROR")), String.join("\n", output));
    }
}
