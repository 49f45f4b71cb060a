package captiva.ingest.radius.load;

import captiva.ingest.radius.load.AccountingLoad.Fate;
import captiva.ingest.radius.load.AcknowledgedCheck.Outcome;
import captiva.testing.CommandLineOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The RADIUS ingest benchmark of issue 6: drives a running accounting server with {@link
 * AccountingLoad} at rising windows and reports acknowledged packets per second, latency and
 * retransmits per window. With {@code --jdbc-url} it then checks, window by window, that the
 * Captiva database holds exactly what was acknowledged. A main class, not a test: see {@code
 * bench/ingest.sh} and BENCHMARKS.md.
 *
 * <p>Options ({@code --name=value}, {@code --name value}, or system property {@code bench.name}):
 * host, port, secret, nas-identifier (sent as NAS-Identifier; omit for servers that know the NAS by
 * address only), sessions (per window), interims, stop, spacing, windows (comma-separated),
 * timeout-ms, tries, max-seconds (per window), warmup-sessions, local-address, label, jdbc-url,
 * jdbc-user, jdbc-password.
 */
public final class IngestBenchmark {

    private IngestBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = CommandLineOptions.parse(args);
        String host = option(options, "host", "127.0.0.1");
        int port = Integer.parseInt(option(options, "port", "1813"));
        byte[] secret = option(options, "secret", "testing123").getBytes(StandardCharsets.UTF_8);
        String nasIdentifier = option(options, "nas-identifier", null);
        int sessions = Integer.parseInt(option(options, "sessions", "20000"));
        int interims = Integer.parseInt(option(options, "interims", "3"));
        boolean stop = Boolean.parseBoolean(option(options, "stop", "true"));
        int spacing = Integer.parseInt(option(options, "spacing", "1000"));
        int[] windows =
                Arrays.stream(option(options, "windows", "16,64,256,1024").split(","))
                        .map(String::trim)
                        .mapToInt(Integer::parseInt)
                        .toArray();
        Duration timeout = Duration.ofMillis(Long.parseLong(option(options, "timeout-ms", "1000")));
        int tries = Integer.parseInt(option(options, "tries", "5"));
        Duration maxDuration =
                Duration.ofSeconds(Long.parseLong(option(options, "max-seconds", "120")));
        // 150,000 packets: on 2 cores the JIT still used as much CPU as the writers after 25,000
        // (BENCHMARKS.md).
        int warmupSessions = Integer.parseInt(option(options, "warmup-sessions", "30000"));
        InetAddress local = InetAddress.getByName(option(options, "local-address", "127.0.0.1"));
        String label = option(options, "label", "captiva");
        String jdbcUrl = option(options, "jdbc-url", null);
        if (nasIdentifier == null && jdbcUrl != null) {
            throw new IllegalArgumentException(
                    "--jdbc-url needs --nas-identifier: the check finds the NAS by it");
        }

        InetSocketAddress target = new InetSocketAddress(host, port);
        AccountingLoad.Settings base =
                new AccountingLoad.Settings(target, local, 64, timeout, tries, maxDuration);
        String run = Long.toString(System.currentTimeMillis(), 36);
        int perSession = 1 + interims + (stop ? 1 : 0);
        System.out.printf(
                Locale.ROOT,
                "%s ingest benchmark: %s, %d sessions x %d packets per window (Start, %d Interim%s),"
                        + " timeout %d ms, %d tries, run %s%n",
                label,
                target,
                sessions,
                perSession,
                interims,
                stop ? ", Stop" : "",
                timeout.toMillis(),
                tries,
                run);

        if (warmupSessions > 0) {
            AccountingTraffic warmup =
                    AccountingTraffic.encode(
                            "bench-" + run + "-warmup-",
                            warmupSessions,
                            interims,
                            stop,
                            Math.min(spacing, warmupSessions),
                            nasIdentifier,
                            secret);
            AccountingLoad.Result result = new AccountingLoad(base, warmup).run();
            System.out.printf(
                    Locale.ROOT,
                    "warm-up: %d of %d acknowledged, %.0f/s (not reported)%n",
                    result.count(Fate.ACKNOWLEDGED),
                    warmup.packets().size(),
                    result.acknowledgedPerSecond());
        }

        System.out.printf(
                Locale.ROOT,
                "%-8s %8s %8s %8s %8s %11s %8s %8s %8s %7s%n",
                "window",
                "packets",
                "acked",
                "gave-up",
                "retrans",
                "acked/s",
                "p50 ms",
                "p99 ms",
                "busy s",
                "check");
        boolean allStored = true;
        for (int window : windows) {
            AccountingTraffic traffic =
                    AccountingTraffic.encode(
                            "bench-" + run + "-w" + window + "-",
                            sessions,
                            interims,
                            stop,
                            Math.min(spacing, sessions),
                            nasIdentifier,
                            secret);
            AccountingLoad.Result result =
                    new AccountingLoad(base.withWindow(window), traffic).run();
            String check = "-";
            Outcome outcome = null;
            if (jdbcUrl != null) {
                try (Connection db =
                        DriverManager.getConnection(
                                jdbcUrl,
                                option(options, "jdbc-user", "postgres"),
                                option(options, "jdbc-password", ""))) {
                    long nasId = AcknowledgedCheck.nasId(db, nasIdentifier);
                    outcome =
                            AcknowledgedCheck.compare(
                                    traffic,
                                    result::acknowledged,
                                    AcknowledgedCheck.read(db, nasId, traffic.sessionPrefix()));
                }
                check =
                        outcome.exactlyAcknowledged()
                                ? "exact"
                                : outcome.nothingAcknowledgedLost() ? "ok+" : "LOST";
                allStored &= outcome.nothingAcknowledgedLost();
            }
            System.out.printf(
                    Locale.ROOT,
                    "%-8d %8d %8d %8d %8d %11.0f %8.1f %8.1f %8.2f %7s%n",
                    window,
                    traffic.packets().size(),
                    result.count(Fate.ACKNOWLEDGED),
                    result.count(Fate.GAVE_UP)
                            + result.count(Fate.ABANDONED)
                            + result.count(Fate.NOT_SENT),
                    result.retransmits(),
                    result.acknowledgedPerSecond(),
                    millis(result.latencyPercentile(50)),
                    millis(result.latencyPercentile(99)),
                    result.busy().toNanos() / 1e9,
                    check);
            if (result.forgedAnswers() > 0 || result.lateAnswers() > 0) {
                System.out.printf(
                        Locale.ROOT,
                        "         forged answers %d, late answers %d%n",
                        result.forgedAnswers(),
                        result.lateAnswers());
            }
            if (outcome != null && !outcome.exactlyAcknowledged()) {
                System.out.println("         " + outcome.summary());
            }
        }
        if (jdbcUrl != null) {
            System.out.println(
                    allStored
                            ? "database check: every acknowledged packet is stored, no session twice"
                            : "database check FAILED: acknowledged packets are missing or duplicated");
        }
        if (!allStored) {
            System.exit(1);
        }
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }

    private static String option(Map<String, String> options, String name, String fallback) {
        return options.getOrDefault(name, System.getProperty("bench." + name, fallback));
    }
}
