package captiva.sessions.export;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The export benchmark of issue 5: fills one tenant of a running Captiva with generated sessions
 * (plain SQL, one INSERT ... SELECT), then downloads GET /sessions/export in each format and
 * reports rows and megabytes per second and the time to the first byte. A main class, not a test:
 * see {@code bench/export.sh} and BENCHMARKS.md.
 *
 * <p>Settings are system properties: {@code bench.base-url}, {@code bench.key} (a sessions:read key
 * of the tenant), {@code bench.tenant} and {@code bench.location} (their names, unique, to find
 * their rows), {@code bench.sessions} (1,000,000), {@code bench.runs} (per format, 3), {@code
 * bench.jdbc-url}, {@code bench.jdbc-user}, {@code bench.jdbc-password}.
 */
public final class ExportBenchmark {

    private ExportBenchmark() {}

    public static void main(String[] args) throws Exception {
        String baseUrl = setting("base-url", "http://127.0.0.1:18080");
        String key = setting("key", null);
        int sessions = Integer.parseInt(setting("sessions", "1000000"));
        int runs = Integer.parseInt(setting("runs", "3"));

        try (Connection db =
                DriverManager.getConnection(
                        setting("jdbc-url", null),
                        setting("jdbc-user", "postgres"),
                        setting("jdbc-password", ""))) {
            long tenant = id(db, "SELECT id FROM tenant WHERE name = ?", setting("tenant", null));
            long location =
                    id(
                            db,
                            "SELECT id FROM location WHERE name = ? AND tenant_id = " + tenant,
                            setting("location", null));
            long started = System.nanoTime();
            generate(db, tenant, location, sessions);
            System.out.printf(
                    Locale.ROOT, "generated %,d sessions in %.1f s%n", sessions, seconds(started));
        }

        HttpClient client = HttpClient.newHttpClient();
        System.out.printf(
                Locale.ROOT,
                "%-22s %4s %10s %10s %12s %9s %9s %10s%n",
                "format",
                "run",
                "rows",
                "MB",
                "rows/s",
                "MB/s",
                "first ms",
                "total s");
        for (String format : new String[] {"text/csv", "application/x-ndjson"}) {
            for (int run = 1; run <= runs; run++) {
                HttpRequest request =
                        HttpRequest.newBuilder(URI.create(baseUrl + "/sessions/export"))
                                .header("Authorization", "Bearer " + key)
                                .header("Accept", format)
                                .build();
                long start = System.nanoTime();
                HttpResponse<InputStream> response =
                        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                            "export answered "
                                    + response.statusCode()
                                    + ": "
                                    + new String(response.body().readAllBytes()));
                }
                Count count = count(response.body(), start);
                double total = seconds(start);
                long rows = format.equals("text/csv") ? count.lines - 1 : count.lines;
                if (rows != sessions) {
                    throw new IllegalStateException("exported " + rows + " rows of " + sessions);
                }
                System.out.printf(
                        Locale.ROOT,
                        "%-22s %4d %,10d %10.1f %,12.0f %9.1f %9.0f %10.1f%n",
                        format,
                        run,
                        rows,
                        count.bytes / 1e6,
                        rows / total,
                        count.bytes / 1e6 / total,
                        count.firstByteNanos / 1e6,
                        total);
            }
        }
    }

    private record Count(long bytes, long lines, long firstByteNanos) {}

    private static Count count(InputStream body, long start) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long bytes = 0;
        long lines = 0;
        long firstByte = -1;
        try (body) {
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                if (firstByte < 0 && n > 0) {
                    firstByte = System.nanoTime() - start;
                }
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return new Count(bytes, lines, firstByte);
    }

    /**
     * Sessions a second apart going back from now, at one venue: a fifth with a guest device
     * description, a tenth without an end (long silent, so the stale-session reaper closes them),
     * and varied counters, so that rows are not all alike.
     */
    private static void generate(Connection db, long tenant, long location, int sessions)
            throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute(
                    """
                    INSERT INTO session (tenant_id, location_id, username, guest_device_mac, guest_device_ip,
                                         guest_device_description, start_time, last_update, end_time,
                                         input_octets, output_octets)
                    SELECT %d, %d, 'room' || (i %% 400),
                           CAST(lpad(to_hex(i %% 50000), 12, '0') AS macaddr), inet '10.0.0.0' + (i %% 60000),
                           CASE WHEN i %% 5 = 0 THEN 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Safari' END,
                           now() - i * interval '1 second', now() - i * interval '1 second' + interval '20 minutes',
                           CASE WHEN i %% 10 <> 0 THEN now() - i * interval '1 second' + interval '40 minutes' END,
                           (i %% 1000) * 12345, (i %% 1000) * 98765
                    FROM generate_series(1, %d) i
                    """
                            .formatted(tenant, location, sessions));
            st.execute("ANALYZE session");
        }
    }

    private static long id(Connection db, String sql, String name) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(sql)) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("nothing named " + name + ": " + sql);
                }
                return rs.getLong(1);
            }
        }
    }

    private static String setting(String name, String fallback) {
        String value = System.getProperty("bench." + name, fallback);
        if (value == null) {
            throw new IllegalArgumentException("set -Dbench." + name);
        }
        return value;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
