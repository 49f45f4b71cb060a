package captiva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar without a database URL refuses to start, with one line saying what to set: it
 * must never fall back to a temporary database and acknowledge real accounting into it.
 */
@DisplayName("the packaged jar without a database")
class DatabaseRequiredIT {

    @Test
    void stopsAtOnceWithOneLineNamingTheSetting() throws Exception {
        Ended run = runJar(Map.of());

        assertNotEquals(0, run.exitCode(), run.output());
        assertEquals(1, run.lines().size(), "one line, no stack trace:\n" + run.output());
        assertTrue(run.output().contains("set DATASOURCES_DEFAULT_URL"), run.output());
    }

    @Test
    void theDemoEnvironmentDoesNotHelpBecauseTheJarHasNoEmbeddedPostgres() throws Exception {
        Ended run = runJar(Map.of("MICRONAUT_ENVIRONMENTS", Application.DEMO_ENVIRONMENT));

        assertNotEquals(0, run.exitCode(), run.output());
        assertEquals(1, run.lines().size(), "one line, no stack trace:\n" + run.output());
        assertTrue(run.output().contains("mn:run"), run.output());
        assertFalse(run.output().contains("Startup completed"), run.output());
    }

    private record Ended(int exitCode, String output) {
        List<String> lines() {
            return output.lines().filter(line -> !line.isBlank()).toList();
        }
    }

    private static Ended runJar(Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                System.getProperty("captiva.jar"))
                        .redirectErrorStream(true);
        builder.environment()
                .keySet()
                .removeIf(name -> name.startsWith("DATASOURCES_") || name.startsWith("MICRONAUT_"));
        builder.environment().put("MICRONAUT_SERVER_PORT", "0");
        builder.environment().put("CAPTIVA_RADIUS_ACCOUNTING_PORT", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 60 s: it started without a database");
        }
        return new Ended(
                process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
