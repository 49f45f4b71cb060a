package captiva.ingest.radius.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time that a window of load cost the accounting server and the PostgreSQL backends doing its
 * writes, so that two servers are compared by the work they did and not only by their rate. Reads
 * {@code /proc/PID/stat} (Linux; the database must run on this machine for the backends' share).
 * The backends are those {@code pg_stat_activity} lists for the database of the connection given,
 * other than that connection's own: the server's pool and autovacuum workers, not the WAL writer or
 * the checkpointer, which serve every database. A figure that cannot be read is NaN.
 */
final class CpuMeter {

    /**
     * CPU clock ticks of the server and of each backend, by pid; {@code backends} is null when they
     * cannot be read.
     */
    record Sample(OptionalLong serverTicks, Map<Integer, Long> backends) {}

    /**
     * CPU seconds between two samples.
     *
     * @param backendsGone backends that exited between them: their last share is not counted
     */
    record Usage(double serverSeconds, double backendSeconds, int backendsGone) {}

    private static final String BACKENDS =
            """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """;

    private final long serverPid;
    private final Connection database;
    private final double ticksPerSecond = ticksPerSecond();

    /**
     * @param serverPid the server's process, or 0 to measure none
     * @param database a connection to the server's database, or null to measure no backends
     */
    CpuMeter(long serverPid, Connection database) {
        this.serverPid = serverPid;
        this.database = database;
    }

    Sample sample() throws SQLException {
        OptionalLong server = serverPid > 0 ? ticks(serverPid) : OptionalLong.empty();
        if (database == null) {
            return new Sample(server, null);
        }
        Map<Integer, Long> backends = new HashMap<>();
        boolean anyListed = false;
        try (PreparedStatement st = database.prepareStatement(BACKENDS);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                anyListed = true;
                int pid = rs.getInt(1);
                ticks(pid).ifPresent(t -> backends.put(pid, t));
            }
        }
        // Listed but none readable: the database runs elsewhere (or in a container).
        return new Sample(server, anyListed && backends.isEmpty() ? null : backends);
    }

    /**
     * What was used between the samples. A backend first seen in {@code after} was born in between
     * and counts whole.
     */
    Usage between(Sample before, Sample after) {
        double server =
                before.serverTicks().isPresent() && after.serverTicks().isPresent()
                        ? (after.serverTicks().getAsLong() - before.serverTicks().getAsLong())
                                / ticksPerSecond
                        : Double.NaN;
        if (before.backends() == null || after.backends() == null) {
            return new Usage(server, Double.NaN, 0);
        }
        long ticks = 0;
        for (Map.Entry<Integer, Long> backend : after.backends().entrySet()) {
            ticks += backend.getValue() - before.backends().getOrDefault(backend.getKey(), 0L);
        }
        int gone = 0;
        for (Integer pid : before.backends().keySet()) {
            if (!after.backends().containsKey(pid)) {
                gone++;
            }
        }
        return new Usage(server, ticks / ticksPerSecond, gone);
    }

    /** User plus system ticks of the process (all its threads), or empty when it cannot be read. */
    private static OptionalLong ticks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException | SecurityException unreadable) {
            return OptionalLong.empty();
        }
        // The command name, in parentheses, may hold spaces: count the fields after its end.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return OptionalLong.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
    }

    private static double ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out =
                    new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                            .trim();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to Linux's fixed user-space value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
