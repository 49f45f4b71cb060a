package captiva.sessions.load;

import captiva.sessions.load.LoadLoop.Stats;
import captiva.sessions.load.ReadQueries.Probe;
import captiva.sessions.load.ReadQueries.QueryType;
import captiva.sessions.load.ReadQueries.Requests;
import captiva.sessions.query.SqlFloor;
import captiva.testing.CommandLineOptions;
import captiva.testing.RollupBacklog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The read benchmark of issue 6. For each query type ({@link ReadQueries}) it drives the running
 * service over HTTP with a closed loop of {@code concurrency} workers, then runs the same requests'
 * SQL directly over JDBC ({@link SqlFloor}) with as many workers, and reports requests per second,
 * p50 and p99 of both and the ratio of their p50s. Before that, a few requests of each type are
 * sent both ways and their answers compared (sessions listed, the count, holders found).
 *
 * <p>A main class, run by {@code bench/read.sh}; options {@code --name value}: base-url,
 * admin-token, jdbc-url, jdbc-user, jdbc-password, concurrency (8), server-warmup-seconds (30,
 * once, before any type), warmup-seconds (3, per type and side), seconds (10), seed (1), types
 * (comma-separated names, default all), tenants (comma-separated row ids, default every tenant the
 * generator made).
 */
public final class ReadBenchmark {

    /** The outcome of one type: the API's figures, the floor's, and answers that differed. */
    public record Result(
            String type, double p99TargetMs, Stats api, Stats sql, List<String> mismatches) {
        public double p50Ratio() {
            return api.p50() / sql.p50();
        }
    }

    public record Options(
            String baseUrl,
            String adminToken,
            String jdbcUrl,
            String jdbcUser,
            String jdbcPassword,
            int concurrency,
            Duration serverWarmup,
            Duration warmup,
            Duration measured,
            long seed,
            List<String> types,
            List<Long> tenantIds) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHECKS_PER_TYPE = 5;

    /**
     * The cheap types that together take every step of the read path; see {@link #warmUpServer}.
     */
    private static final List<String> SERVER_WARMUP_TYPES =
            List.of(
                    "list",
                    "list location",
                    "list online",
                    "count online location",
                    "count mac",
                    "ips 10");

    /**
     * Online sessions go stale after the stale timeout (660 s by default): refresh them well
     * before.
     */
    private static final Duration REFRESH_EVERY = Duration.ofMinutes(3);

    /** A year of the hotel chain's statistics takes about a minute alone at 10,000,000 sessions. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

    /** A fresh 10,000,000-session load takes about 10 minutes to roll up on 2 cores. */
    private static final Duration ROLLUP_WAIT = Duration.ofMinutes(30);

    private final Options options;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    private ReadBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = CommandLineOptions.parse(args);
        String types = o.getOrDefault("types", "");
        String tenants = o.getOrDefault("tenants", "");
        Options options =
                new Options(
                        SessionGenerator.required(o, "base-url"),
                        SessionGenerator.required(o, "admin-token"),
                        SessionGenerator.required(o, "jdbc-url"),
                        o.getOrDefault("jdbc-user", "postgres"),
                        o.getOrDefault("jdbc-password", ""),
                        Integer.parseInt(o.getOrDefault("concurrency", "8")),
                        Duration.ofMillis(
                                (long)
                                        (1000
                                                * Double.parseDouble(
                                                        o.getOrDefault(
                                                                "server-warmup-seconds", "30")))),
                        Duration.ofMillis(
                                (long)
                                        (1000
                                                * Double.parseDouble(
                                                        o.getOrDefault("warmup-seconds", "3")))),
                        Duration.ofMillis(
                                (long)
                                        (1000
                                                * Double.parseDouble(
                                                        o.getOrDefault("seconds", "10")))),
                        Long.parseLong(o.getOrDefault("seed", "1")),
                        types.isBlank() ? List.of() : List.of(types.split(",")),
                        tenants.isBlank()
                                ? List.of()
                                : Arrays.stream(tenants.split(",")).map(Long::valueOf).toList());
        List<Result> results = run(options);
        System.out.println(table(results, options));
        boolean failed =
                results.stream()
                        .anyMatch(
                                r ->
                                        r.api().failures() > 0
                                                || r.sql().failures() > 0
                                                || !r.mismatches().isEmpty());
        System.exit(failed ? 1 : 0);
    }

    public static List<Result> run(Options options) throws Exception {
        return new ReadBenchmark(options).run();
    }

    private List<Result> run() throws Exception {
        BenchData data;
        List<Long> tenantIds;
        try (Connection c = connect()) {
            tenantIds = options.tenantIds().isEmpty() ? generatedTenants(c) : options.tenantIds();
            SessionGenerator.refreshOnline(c, tenantIds);
            data = BenchData.sample(c, tenantIds, options.seed());
            awaitRollups(c);
        }
        long lastRefresh = System.nanoTime();
        for (BenchData.Tenant tenant : data.tenants) {
            tenant.key = readKey(tenant);
        }
        warmUpServer(data);
        List<Result> results = new ArrayList<>();
        for (QueryType type : ReadQueries.all(data)) {
            if (!options.types().isEmpty() && !options.types().contains(type.name())) {
                continue;
            }
            if (System.nanoTime() - lastRefresh > REFRESH_EVERY.toNanos()) {
                try (Connection c = connect()) {
                    SessionGenerator.refreshOnline(c, tenantIds);
                }
                lastRefresh = System.nanoTime();
            }
            List<String> mismatches = compare(type, data);
            int concurrency = type.concurrency(options.concurrency());
            Stats api =
                    LoadLoop.run(
                            concurrency,
                            options.warmup(),
                            options.measured(),
                            w -> apiWorker(type, data, w));
            Stats sql =
                    LoadLoop.run(
                            concurrency,
                            options.warmup(),
                            options.measured(),
                            w -> sqlWorker(type, data, w));
            Result result = new Result(type.name(), type.p99TargetMs(), api, sql, mismatches);
            System.err.println(row(result));
            results.add(result);
        }
        return results;
    }

    /**
     * Not measured: the request path every read shares (key, rate limit, filters, JSON) run hot
     * before the first type is measured. On 2 cores the JIT was still compiling 15 s into a run (a
     * quarter of the server's CPU, async-profiler), so without this the first types measured the
     * compiler. A production server has long been warm.
     */
    private void warmUpServer(BenchData data) throws InterruptedException {
        List<QueryType> path =
                ReadQueries.all(data).stream()
                        .filter(t -> SERVER_WARMUP_TYPES.contains(t.name()))
                        .toList();
        if (options.serverWarmup().isZero() || path.isEmpty()) {
            return;
        }
        Duration each = options.serverWarmup().dividedBy(path.size());
        for (QueryType type : path) {
            LoadLoop.run(options.concurrency(), Duration.ZERO, each, w -> apiWorker(type, data, w));
        }
    }

    private static List<Long> generatedTenants(Connection c) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement st =
                c.prepareStatement("SELECT id FROM tenant WHERE name LIKE ? ORDER BY id")) {
            st.setString(1, SessionGenerator.TENANT_PREFIX + "%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalStateException("no generated tenants: run SessionGenerator first");
        }
        return ids;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(
                options.jdbcUrl(), options.jdbcUser(), options.jdbcPassword());
    }

    /** A sessions:read key of the tenant, with a rate limit far above what the run can send. */
    private String readKey(BenchData.Tenant tenant) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                options.baseUrl()
                                                        + "/admin/tenants/"
                                                        + tenant.publicId
                                                        + "/api-keys"))
                                .header("Authorization", "Bearer " + options.adminToken())
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                """
                        {"name": "read benchmark", "scopes": ["sessions:read"], "rate_limit_per_minute": 1000000}"""))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException(
                    "could not make a read key: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("key").asText();
    }

    private HttpResponse<String> get(Probe probe) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(options.baseUrl() + probe.path()))
                        .header("Authorization", "Bearer " + probe.tenant().key)
                        .timeout(REQUEST_TIMEOUT)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private LoadLoop.Worker apiWorker(QueryType type, BenchData data, int worker) {
        Requests requests = type.requests().apply(data, random(type, worker));
        return () -> {
            HttpResponse<String> r = get(requests.next());
            if (r.statusCode() != 200) {
                return r.statusCode() + " for " + r.uri() + ": " + r.body();
            }
            requests.answered(r.body());
            return null;
        };
    }

    private LoadLoop.Worker sqlWorker(QueryType type, BenchData data, int worker) {
        Requests requests = type.requests().apply(data, random(type, worker));
        Connection connection;
        try {
            connection = connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        SqlFloor floor = new SqlFloor(connection);
        return new LoadLoop.Worker() {
            @Override
            public String call() {
                Probe probe = requests.next();
                floor.answer(probe.tenant().id, probe.path());
                return null;
            }

            @Override
            public void close() throws SQLException {
                connection.close();
            }
        };
    }

    /**
     * Waits until the server has rolled up every venue-day logged so far (after a fresh load, the
     * whole history: V9 logs it), so that statistics are measured as they run day to day.
     */
    private static void awaitRollups(Connection c) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        // Counting a whole history's backlog takes a quarter of a second at 10,000,000 sessions.
        long backlog = RollupBacklog.awaitEmpty(c, started, ROLLUP_WAIT, Duration.ofSeconds(1));
        if (backlog > 0) {
            throw new IllegalStateException(
                    "the statistics rollups still have "
                            + backlog
                            + " venue-days to build after "
                            + ROLLUP_WAIT);
        }
        System.out.printf(
                "statistics rollups up to date after %.0f s of waiting%n",
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * The same sequence of requests for the API and the floor: seeded by the run, the type and the
     * worker.
     */
    private SplittableRandom random(QueryType type, int worker) {
        return new SplittableRandom(
                options.seed() * 1_000_003L + type.name().hashCode() * 1009L + worker);
    }

    /** Sends a few requests both ways and lists those whose answers differ in size. */
    private List<String> compare(QueryType type, BenchData data) throws Exception {
        List<String> mismatches = new ArrayList<>();
        Requests requests = type.requests().apply(data, new SplittableRandom(options.seed()));
        try (Connection c = connect()) {
            SqlFloor floor = new SqlFloor(c);
            for (int i = 0; i < CHECKS_PER_TYPE; i++) {
                Probe probe = requests.next();
                HttpResponse<String> r = get(probe);
                long expected = floor.answer(probe.tenant().id, probe.path());
                if (r.statusCode() != 200) {
                    mismatches.add(probe.path() + ": " + r.statusCode() + " " + r.body());
                    continue;
                }
                requests.answered(r.body());
                long answered = size(JSON.readTree(r.body()));
                if (answered != expected) {
                    mismatches.add(
                            probe.path()
                                    + ": the API answered "
                                    + answered
                                    + ", the SQL "
                                    + expected);
                }
            }
        }
        return mismatches;
    }

    /**
     * Sessions on a page, a count, sessions in statistics, or holders found (one object for one
     * address).
     */
    static long size(JsonNode answer) {
        if (answer.has("total")) {
            return answer.get("total").get("sessions").asLong();
        }
        if (answer.has("data")) {
            return answer.get("data").size();
        }
        if (answer.has("count")) {
            return answer.get("count").asLong();
        }
        return answer.isArray() ? answer.size() : 1;
    }

    private static String row(Result r) {
        String problems =
                (r.api().failures() + r.sql().failures() > 0
                                ? " failures: api "
                                        + r.api().failures()
                                        + ", sql "
                                        + r.sql().failures()
                                        + " ("
                                        + (r.api().firstFailure() != null
                                                ? r.api().firstFailure()
                                                : r.sql().firstFailure())
                                        + ")"
                                : "")
                        + (r.mismatches().isEmpty() ? "" : " mismatches: " + r.mismatches());
        if (r.api().requests() == 0 || r.sql().requests() == 0) {
            return "| "
                    + r.type()
                    + " | no request finished in the measured time: give it more --seconds |"
                    + problems;
        }
        return String.format(
                        Locale.ROOT,
                        "| %s | %,.0f | %.1f | %.1f | %s | %,.0f | %.1f | %.1f | %.1fx | %s |",
                        r.type(),
                        r.api().perSecond(),
                        r.api().p50(),
                        r.api().p99(),
                        r.p99TargetMs() > 0
                                ? String.format(
                                        Locale.ROOT,
                                        "< %.0f %s",
                                        r.p99TargetMs(),
                                        r.api().p99() < r.p99TargetMs() ? "met" : "MISSED")
                                : "",
                        r.sql().perSecond(),
                        r.sql().p50(),
                        r.sql().p99(),
                        r.p50Ratio(),
                        r.p50Ratio() <= ReadQueries.P50_RATIO ? "met" : "MISSED")
                + problems;
    }

    static String table(List<Result> results, Options options) {
        StringBuilder table =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "concurrency %d, %d s measured after %d s of warm-up per type and side (and %d s for the server first); milliseconds%n%n",
                                options.concurrency(),
                                options.measured().toSeconds(),
                                options.warmup().toSeconds(),
                                options.serverWarmup().toSeconds()));
        table.append(
                "| type | API req/s | API p50 | API p99 | API p99 target | SQL req/s | SQL p50 | SQL p99 | p50 API/SQL | within 2x |\n");
        table.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |\n");
        results.forEach(r -> table.append(row(r)).append('\n'));
        return table.toString();
    }
}
