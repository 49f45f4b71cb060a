package captiva.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The shaded jar run with {@code java -jar} as a separate process (failsafe passes its path in
 * {@code captiva.jar}), configured only through environment variables, as a deployment is. The
 * process can be stopped politely or killed with SIGKILL, which is what crash tests need.
 */
public final class PackagedJar implements AutoCloseable {

    /** The variable naming the HTTP port, which {@link #startOnFreePorts} chooses. */
    public static final String HTTP_PORT = "MICRONAUT_SERVER_PORT";

    /** The variable naming the RADIUS accounting port, which {@link #startOnFreePorts} chooses. */
    public static final String RADIUS_PORT = "CAPTIVA_RADIUS_ACCOUNTING_PORT";

    /**
     * Starts tried before a port in use fails the test: each try takes other ports, so three in a
     * row would take three ports given away between choosing and binding each.
     */
    private static final int STARTS_ON_FREE_PORTS = 3;

    private final Process process;
    private final List<String> output;
    private final Map<String, String> environment;

    private PackagedJar(Process process, List<String> output, Map<String, String> environment) {
        this.process = process;
        this.output = output;
        this.environment = Map.copyOf(environment);
    }

    /**
     * What a test's jar is given before its own settings: the test database, the tests' admin
     * token, and RADIUS on loopback only. A mutable copy, for the test to add to.
     */
    public static Map<String, String> onTestDatabase() {
        Map<String, String> db = TestDatabase.properties();
        return new HashMap<>(
                Map.of(
                        "DATASOURCES_DEFAULT_URL", db.get("datasources.default.url"),
                        "DATASOURCES_DEFAULT_USERNAME", db.get("datasources.default.username"),
                        "DATASOURCES_DEFAULT_PASSWORD", db.get("datasources.default.password"),
                        "CAPTIVA_ADMIN_TOKEN", ApiTest.ADMIN_TOKEN,
                        "CAPTIVA_RADIUS_BIND_ADDRESS", "127.0.0.1"));
    }

    /**
     * Starts the jar listening on HTTP and RADIUS ports free when it starts; read them with {@link
     * #port}. A port found free can be given to another socket before the jar binds it: outgoing
     * sockets (the balancer's, the load's, the pool's) take their ports from the same ephemeral
     * range, and a port kept across a restart stays unbound for as long as the instance is down. So
     * a start refused for a port in use is tried again on other ports.
     */
    public static PackagedJar startOnFreePorts(
            Map<String, String> environment, Duration startupTimeout) {
        for (int attempt = 1; ; attempt++) {
            Map<String, String> withPorts = new HashMap<>(environment);
            withPorts.put(HTTP_PORT, Integer.toString(freeTcpPort()));
            withPorts.put(RADIUS_PORT, Integer.toString(freeUdpPort()));
            try {
                return start(withPorts, startupTimeout);
            } catch (AssertionError notStarted) {
                if (attempt == STARTS_ON_FREE_PORTS
                        || !notStarted.getMessage().contains("Address already in use")) {
                    throw notStarted;
                }
            }
        }
    }

    /**
     * Starts the jar and returns once it logged "Startup completed"; fails with its output
     * otherwise.
     */
    public static PackagedJar start(Map<String, String> environment, Duration startupTimeout) {
        ProcessBuilder builder =
                new ProcessBuilder(javaBinary(), "-jar", System.getProperty("captiva.jar"))
                        .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the packaged jar", e);
        }
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader lines =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                lines.lines().forEach(output::add);
                            } catch (IOException | UncheckedIOException ended) {
                                // the process ended, maybe killed
                            }
                        },
                        "jar-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        PackagedJar jar = new PackagedJar(process, output, environment);
        try {
            await("the jar to log Startup completed")
                    .atMost(startupTimeout)
                    .pollInterval(Duration.ofMillis(100))
                    .failFast("the jar exited", () -> !process.isAlive())
                    .until(
                            () ->
                                    output.stream()
                                            .anyMatch(line -> line.contains("Startup completed")));
        } catch (ConditionTimeoutException | TerminalFailureException notStarted) {
            process.destroyForcibly();
            throw new AssertionError("the jar did not start:\n" + jar.output(), notStarted);
        }
        return jar;
    }

    /**
     * The port the jar was told to listen on by the variable ({@link #HTTP_PORT}, {@link
     * #RADIUS_PORT}).
     */
    public int port(String variable) {
        return Integer.parseInt(environment.get(variable));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far. */
    public String output() {
        return String.join("\n", output);
    }

    /**
     * SIGKILL (what {@link Process#destroyForcibly()} sends on Linux): no shutdown hook, no drain.
     */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM, then SIGKILL if it is not gone within the time. */
    public void stop(Duration grace) {
        process.destroy();
        if (!waitFor(grace)) {
            kill();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(20));
        }
    }

    private boolean waitFor(Duration time) {
        try {
            return process.waitFor(time.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A TCP port nobody listens on right now. */
    public static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UDP port nobody listens on right now. */
    public static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
