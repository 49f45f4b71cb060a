package captiva.ingest.radius.load;

import captiva.ingest.radius.load.AccountingLoad.Fate;
import captiva.ingest.radius.load.AcknowledgedCheck.Outcome;
import captiva.testing.CommandLineOptions;
import captiva.testing.RollupBacklog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The RADIUS ingest benchmark of issue 6: drives a running accounting server with {@link
 * AccountingLoad} at rising windows and reports, per window, acknowledged packets per second,
 * latency, retransmits, and the CPU seconds the server process and its PostgreSQL backends used
 * ({@link CpuMeter}). With {@code --jdbc-url} it then checks, window by window, that the database
 * holds exactly what was acknowledged: Captiva's {@code session} table, or with {@code --schema
 * radacct} FreeRADIUS's; against Captiva, how long after the traffic its statistics rollups held
 * all of it. A main class, not a test: see {@code bench/ingest.sh}, {@code bench/ingest-pair.sh}
 * and BENCHMARKS.md.
 *
 * <p>Options ({@code --name=value}, {@code --name value}, or system property {@code bench.name}):
 * host, port, secret, nas-identifier (sent as NAS-Identifier; omit for servers that know the NAS by
 * address only), sessions (per window), interims, stop, spacing, windows (comma-separated),
 * timeout-ms, tries, max-seconds (per window; by default the time a server acknowledging {@value
 * #FLOOR_RATE} packets a second needs, at least 120), warmup-sessions, local-address, label,
 * jdbc-url, jdbc-user, jdbc-password, schema ({@code captiva} or {@code radacct}), server-pid (the
 * process whose CPU is measured), summary (a file to which one tab-separated line per window is
 * appended, for {@code bench/ingest-pair.sh}'s table).
 */
public final class IngestBenchmark {

    /** The slowest rate the default per-window cap lets a run finish at. */
    static final int FLOOR_RATE = 500;

    /** How long the rollups are waited for after the traffic (issue 15's target is 60 s). */
    private static final Duration ROLLUP_WAIT = Duration.ofSeconds(300);

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
        String maxSeconds = option(options, "max-seconds", null);
        // 150,000 packets: on 2 cores the JIT still used as much CPU as the writers after 25,000
        // (BENCHMARKS.md).
        int warmupSessions = Integer.parseInt(option(options, "warmup-sessions", "30000"));
        InetAddress local = InetAddress.getByName(option(options, "local-address", "127.0.0.1"));
        String label = option(options, "label", "captiva");
        String jdbcUrl = option(options, "jdbc-url", null);
        boolean radacct =
                switch (option(options, "schema", "captiva")) {
                    case "captiva" -> false;
                    case "radacct" -> true;
                    default -> throw new IllegalArgumentException("--schema is captiva or radacct");
                };
        long serverPid = Long.parseLong(option(options, "server-pid", "0"));
        String summary = option(options, "summary", null);
        if (nasIdentifier == null && jdbcUrl != null && !radacct) {
            throw new IllegalArgumentException(
                    "--jdbc-url needs --nas-identifier: the check finds the NAS by it");
        }

        InetSocketAddress target = new InetSocketAddress(host, port);
        AccountingLoad.Settings base =
                new AccountingLoad.Settings(target, local, 64, timeout, tries, Duration.ZERO);
        String run = Long.toString(System.currentTimeMillis(), 36);
        int perSession = 1 + interims + (stop ? 1 : 0);
        System.out.printf(
                Locale.ROOT,
                "%s ingest benchmark: %s, %d sessions x %d packets per window (Start, %d Interim%s),"
                        + " timeout %d ms, %d tries, cap %s, run %s%n",
                label,
                target,
                sessions,
                perSession,
                interims,
                stop ? ", Stop" : "",
                timeout.toMillis(),
                tries,
                maxSeconds != null
                        ? maxSeconds + " s per window"
                        : cap(null, sessions * perSession, timeout, tries).toSeconds()
                                + " s per window (time for "
                                + FLOOR_RATE
                                + " acked/s; --max-seconds)",
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
            Duration warmupCap = cap(maxSeconds, warmup.packets().size(), timeout, tries);
            AccountingLoad.Result result =
                    new AccountingLoad(base.withMaxDuration(warmupCap), warmup).run();
            System.out.printf(
                    Locale.ROOT,
                    "warm-up: %d of %d acknowledged, %.0f/s (not reported)%s%n",
                    result.count(Fate.ACKNOWLEDGED),
                    warmup.packets().size(),
                    result.acknowledgedPerSecond(),
                    result.hitMaxDuration() ? ", HIT ITS " + warmupCap.toSeconds() + " s CAP" : "");
        }

        Connection db =
                jdbcUrl == null
                        ? null
                        : DriverManager.getConnection(
                                jdbcUrl,
                                option(options, "jdbc-user", "postgres"),
                                option(options, "jdbc-password", ""));
        CpuMeter cpu = new CpuMeter(serverPid, db);
        System.out.printf(
                Locale.ROOT,
                "%-8s %8s %8s %8s %8s %11s %8s %8s %8s %8s %8s %7s%n",
                "window",
                "packets",
                "acked",
                "gave-up",
                "retrans",
                "acked/s",
                "p50 ms",
                "p99 ms",
                "busy s",
                "srv cpu",
                "pg cpu",
                "check");
        boolean allStored = true;
        long lastWindowEnded = 0;
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
            Duration windowCap = cap(maxSeconds, traffic.packets().size(), timeout, tries);
            CpuMeter.Sample before = cpu.sample();
            AccountingLoad.Result result =
                    new AccountingLoad(base.withWindow(window).withMaxDuration(windowCap), traffic)
                            .run();
            lastWindowEnded = System.nanoTime();
            CpuMeter.Usage used = cpu.between(before, cpu.sample());
            String check = "-";
            Outcome outcome = null;
            if (db != null) {
                outcome =
                        AcknowledgedCheck.compare(
                                traffic,
                                result::acknowledged,
                                radacct
                                        ? AcknowledgedCheck.readRadacct(
                                                db, local, traffic.sessionPrefix())
                                        : AcknowledgedCheck.read(
                                                db,
                                                AcknowledgedCheck.nasId(db, nasIdentifier),
                                                traffic.sessionPrefix()));
                check =
                        outcome.exactlyAcknowledged()
                                ? "exact"
                                : outcome.nothingAcknowledgedLost() ? "ok+" : "LOST";
                allStored &= outcome.nothingAcknowledgedLost();
            }
            long gaveUp =
                    result.count(Fate.GAVE_UP)
                            + result.count(Fate.ABANDONED)
                            + result.count(Fate.NOT_SENT);
            System.out.printf(
                    Locale.ROOT,
                    "%-8d %8d %8d %8d %8d %11.0f %8.1f %8.1f %8.2f %8s %8s %7s%n",
                    window,
                    traffic.packets().size(),
                    result.count(Fate.ACKNOWLEDGED),
                    gaveUp,
                    result.retransmits(),
                    result.acknowledgedPerSecond(),
                    millis(result.latencyPercentile(50)),
                    millis(result.latencyPercentile(99)),
                    result.busy().toNanos() / 1e9,
                    seconds(used.serverSeconds()),
                    seconds(used.backendSeconds()),
                    check);
            if (result.hitMaxDuration()) {
                System.out.printf(
                        Locale.ROOT,
                        "         HIT THE %d s CAP: %d packets never sent, %d unanswered at the end"
                                + " (--max-seconds)%n",
                        windowCap.toSeconds(),
                        result.count(Fate.NOT_SENT),
                        result.count(Fate.ABANDONED));
            }
            if (result.forgedAnswers() > 0 || result.lateAnswers() > 0) {
                System.out.printf(
                        Locale.ROOT,
                        "         forged answers %d, late answers %d%n",
                        result.forgedAnswers(),
                        result.lateAnswers());
            }
            if (used.backendsGone() > 0) {
                System.out.printf(
                        Locale.ROOT,
                        "         %d backends exited during the window: their last CPU is not"
                                + " counted%n",
                        used.backendsGone());
            }
            if (outcome != null && !outcome.exactlyAcknowledged()) {
                System.out.println("         " + outcome.summary());
            }
            if (summary != null) {
                Files.writeString(
                        Path.of(summary),
                        String.join(
                                        "\t",
                                        label,
                                        Integer.toString(window),
                                        String.format(
                                                Locale.ROOT,
                                                "%.0f",
                                                result.acknowledgedPerSecond()),
                                        String.format(
                                                Locale.ROOT,
                                                "%.1f",
                                                millis(result.latencyPercentile(50))),
                                        String.format(
                                                Locale.ROOT,
                                                "%.1f",
                                                millis(result.latencyPercentile(99))),
                                        seconds(used.serverSeconds()),
                                        seconds(used.backendSeconds()),
                                        check,
                                        Long.toString(gaveUp),
                                        result.hitMaxDuration() ? "capped" : "-")
                                + "\n",
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
        if (db != null && !radacct) {
            System.out.println(rollupsCaughtUp(db, lastWindowEnded));
        }
        if (db != null) {
            db.close();
            System.out.println(
                    allStored
                            ? "database check: every acknowledged packet is stored, no session twice"
                            : "database check FAILED: acknowledged packets are missing or duplicated");
        }
        if (!allStored) {
            System.exit(1);
        }
    }

    /**
     * How long after the traffic ended the statistics' rollups held all of it: until the log of
     * venue-days that writers changed (venue_day_dirty) is empty, which the refresher empties as it
     * recomputes them. Issue 15's target is within 60 s of a burst ending; polled for at most
     * {@link #ROLLUP_WAIT}.
     */
    private static String rollupsCaughtUp(Connection db, long trafficEnded)
            throws SQLException, InterruptedException {
        long left = RollupBacklog.awaitEmpty(db, trafficEnded, ROLLUP_WAIT, Duration.ofMillis(100));
        if (left == 0) {
            return String.format(
                    Locale.ROOT,
                    "rollups caught up %.1f s after the last window ended (venue_day_dirty empty)",
                    (System.nanoTime() - trafficEnded) / 1e9);
        }
        return String.format(
                Locale.ROOT,
                "rollups NOT caught up %d s after the last window ended: %d venue-day log entries"
                        + " left",
                ROLLUP_WAIT.toSeconds(),
                left);
    }

    /**
     * The per-window cap: {@code --max-seconds} when given, else the time a server acknowledging
     * {@link #FLOOR_RATE} packets a second needs, plus the last packets' retries, and at least the
     * 120 s it always was.
     */
    private static Duration cap(String maxSeconds, int packets, Duration timeout, int tries) {
        if (maxSeconds != null) {
            return Duration.ofSeconds(Long.parseLong(maxSeconds));
        }
        Duration floor =
                Duration.ofSeconds((packets + FLOOR_RATE - 1) / FLOOR_RATE)
                        .plus(timeout.multipliedBy(tries));
        return floor.compareTo(Duration.ofSeconds(120)) > 0 ? floor : Duration.ofSeconds(120);
    }

    private static String seconds(double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.1f", seconds);
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }

    private static String option(Map<String, String> options, String name, String fallback) {
        return options.getOrDefault(name, System.getProperty("bench." + name, fallback));
    }
}
