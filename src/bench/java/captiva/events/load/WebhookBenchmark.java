package captiva.events.load;

import captiva.common.radius.AcctStatusType;
import captiva.ingest.radius.load.AccountingLoad;
import captiva.ingest.radius.load.AccountingLoad.Fate;
import captiva.ingest.radius.load.AccountingTraffic;
import captiva.ingest.radius.load.AccountingTraffic.Packet;
import captiva.testing.CommandLineOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * What one webhook costs (issue 16), against a running server whose tenant has a NAS (see {@code
 * bench/ingest.sh --webhook}):
 *
 * <ol>
 *   <li><b>ingest cost</b>: the same RADIUS traffic (Start and Stop per session, window 256) sent
 *       without and with one endpoint for the tenant (deleted, then created again), alternately,
 *       {@code rounds} times each, after a warm-up; acked packets per second of each;
 *   <li><b>delivery latency</b>: sessions started at a steady rate, each Start's
 *       Accounting-Response (sent after commit) timed against the arrival of its {@code
 *       session.started} at the receiver; p50, p99 and the largest;
 *   <li><b>beside a backlog</b> (with {@code backlog} above 0): the same latency run again while
 *       another tenant has that many deliveries due to an endpoint that refuses connections (its
 *       receiver is down), imported just before.
 * </ol>
 *
 * The receiver is this process's own HTTP server on loopback, answering 204 at once. A main class,
 * not a test. Options ({@code --name value}): radius-port, http-port, admin-token, tenant-id,
 * nas-identifier, secret, receiver-port, sessions (per ingest round), rounds, warmup-sessions, rate
 * (sessions per second of the latency run), seconds (of the latency run), backlog (the other
 * tenant's deliveries; 0, the default, leaves that run out).
 */
public final class WebhookBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Arrivals at the receiver, by event type and username, in {@link System#nanoTime()}. */
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();

    private final HttpClient client = HttpClient.newHttpClient();
    private final String api;
    private final String adminToken;
    private final String tenant;

    private WebhookBenchmark(String api, String adminToken, String tenant) {
        this.api = api;
        this.adminToken = adminToken;
        this.tenant = tenant;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = CommandLineOptions.parse(args);
        WebhookBenchmark bench =
                new WebhookBenchmark(
                        "http://127.0.0.1:" + required(options, "http-port"),
                        required(options, "admin-token"),
                        required(options, "tenant-id"));
        int sessions = Integer.parseInt(options.getOrDefault("sessions", "10000"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup-sessions", "20000"));
        int rate = Integer.parseInt(options.getOrDefault("rate", "200"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "30"));
        String nas = required(options, "nas-identifier");
        byte[] secret = required(options, "secret").getBytes(StandardCharsets.UTF_8);
        InetSocketAddress radius =
                new InetSocketAddress(
                        "127.0.0.1", Integer.parseInt(required(options, "radius-port")));
        AccountingLoad.Settings settings =
                new AccountingLoad.Settings(
                        radius,
                        InetAddress.getByName("127.0.0.1"),
                        256,
                        Duration.ofSeconds(1),
                        5,
                        Duration.ofSeconds(120));
        String run = Long.toString(System.currentTimeMillis(), 36);

        HttpServer receiver =
                bench.receiver(Integer.parseInt(options.getOrDefault("receiver-port", "18099")));
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String endpoint = null;
        try {
            AccountingTraffic warm =
                    AccountingTraffic.encode(
                            "wh-" + run + "-warm-", warmup, 0, true, 500, nas, secret);
            AccountingLoad.Result warmed = new AccountingLoad(settings, warm).run();
            System.out.printf(
                    Locale.ROOT,
                    "warm-up: %d sessions, %.0f acked/s (not reported)%n",
                    warmup,
                    warmed.acknowledgedPerSecond());

            System.out.printf(
                    Locale.ROOT,
                    "%-8s %-9s %8s %8s %10s %8s %8s%n",
                    "round",
                    "webhook",
                    "packets",
                    "acked",
                    "acked/s",
                    "p50 ms",
                    "p99 ms");
            double[] without = new double[rounds];
            double[] with = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                for (boolean subscribed : new boolean[] {false, true}) {
                    // An endpoint cannot be disabled by hand: the round without one deletes it.
                    if (subscribed) {
                        endpoint = bench.subscribe(url);
                    } else if (endpoint != null) {
                        bench.delete(endpoint);
                        endpoint = null;
                    }
                    bench.arrivals.clear();
                    AccountingTraffic traffic =
                            AccountingTraffic.encode(
                                    "wh-" + run + "-" + r + (subscribed ? "-on-" : "-off-"),
                                    sessions,
                                    0,
                                    true,
                                    500,
                                    nas,
                                    secret);
                    AccountingLoad.Result result = new AccountingLoad(settings, traffic).run();
                    (subscribed ? with : without)[r] = result.acknowledgedPerSecond();
                    System.out.printf(
                            Locale.ROOT,
                            "%-8d %-9s %8d %8d %10.0f %8.1f %8.1f%n",
                            r + 1,
                            subscribed ? "one" : "none",
                            traffic.packets().size(),
                            result.count(Fate.ACKNOWLEDGED),
                            result.acknowledgedPerSecond(),
                            millis(result.latencyPercentile(50)),
                            millis(result.latencyPercentile(99)));
                    if (subscribed) {
                        long waitUntil = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                        while (bench.arrived(traffic) < sessions && System.nanoTime() < waitUntil) {
                            Thread.sleep(100);
                        }
                        System.out.printf(
                                Locale.ROOT,
                                "         %d of %d session.started delivered before the next round%n",
                                bench.arrived(traffic),
                                sessions);
                    }
                }
            }
            double off = mean(without);
            double on = mean(with);
            System.out.printf(
                    Locale.ROOT,
                    "ingest: %.0f acked/s without, %.0f with one webhook: %+.1f%%%n",
                    off,
                    on,
                    100 * (on - off) / off);

            if (endpoint == null) {
                endpoint = bench.subscribe(url);
            }
            bench.latency(settings, nas, secret, run, rate, seconds);

            int backlog = Integer.parseInt(options.getOrDefault("backlog", "0"));
            if (backlog > 0) {
                bench.backlogOfAnotherTenant(backlog);
                System.out.printf(
                        Locale.ROOT,
                        "beside another tenant's %d deliveries to an endpoint that refuses"
                                + " connections:%n",
                        backlog);
                bench.latency(settings, nas, secret, run + "-beside", rate, seconds);
            }
        } finally {
            if (endpoint != null) {
                bench.delete(endpoint);
            }
            receiver.stop(0);
        }
    }

    /**
     * Sessions started at {@code rate} a second for {@code seconds}, each in its own tick; then
     * latencies.
     */
    private void latency(
            AccountingLoad.Settings settings,
            String nas,
            byte[] secret,
            String run,
            int rate,
            int seconds)
            throws InterruptedException {
        int ticksPerSecond = 20;
        int perTick = Math.max(1, rate / ticksPerSecond);
        int ticks = seconds * ticksPerSecond;
        AccountingTraffic traffic =
                AccountingTraffic.encode(
                        "wh-" + run + "-steady-", perTick * ticks, 0, false, 1, nas, secret);
        AccountingLoad load = new AccountingLoad(settings.withWindow(64), traffic);
        arrivals.clear();
        long[] acked = new long[traffic.sessions()];
        long start = System.nanoTime();
        long tickNanos = 1_000_000_000L / ticksPerSecond;
        for (int t = 0; t < ticks; t++) {
            long due = start + t * tickNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            List<Packet> slice = traffic.packets().subList(t * perTick, (t + 1) * perTick);
            AccountingLoad.Result result = load.run(slice);
            for (Packet packet : slice) {
                if (packet.type() == AcctStatusType.START && result.acknowledged(packet)) {
                    acked[packet.session()] = result.acknowledgedAtNanos(packet);
                }
            }
        }
        long waitUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (arrived(traffic) < traffic.sessions() && System.nanoTime() < waitUntil) {
            Thread.sleep(100);
        }
        List<Long> latencies = new ArrayList<>();
        for (int s = 0; s < traffic.sessions(); s++) {
            Long arrival = arrivals.get("session.started " + username(traffic, s));
            if (arrival != null && acked[s] != 0) {
                latencies.add(arrival - acked[s]);
            }
        }
        latencies.sort(null);
        System.out.printf(
                Locale.ROOT,
                "delivery latency, Accounting-Response to arrival, %d sessions/s for %d s: %d of %d"
                        + " delivered, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                perTick * ticksPerSecond,
                seconds,
                latencies.size(),
                traffic.sessions(),
                percentile(latencies, 50),
                percentile(latencies, 99),
                latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1) / 1e6);
    }

    private HttpServer receiver(int port) throws IOException {
        HttpServer server =
                HttpServer.create(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        // Daemon threads: the JVM ends with main, the receiver's pool does not hold it.
        server.setExecutor(
                Executors.newFixedThreadPool(
                        8,
                        task -> {
                            Thread thread = new Thread(task, "receiver");
                            thread.setDaemon(true);
                            return thread;
                        }));
        server.createContext(
                "/",
                exchange -> {
                    long at = System.nanoTime();
                    try {
                        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                        JsonNode username = body.path("data").path("username");
                        arrivals.putIfAbsent(
                                body.path("type").asText() + " " + username.asText(), at);
                        exchange.sendResponseHeaders(204, -1);
                    } finally {
                        exchange.close();
                    }
                });
        server.start();
        return server;
    }

    /** session.started arrivals of this traffic's sessions so far. */
    private int arrived(AccountingTraffic traffic) {
        int n = 0;
        for (int s = 0; s < traffic.sessions(); s++) {
            if (arrivals.containsKey("session.started " + username(traffic, s))) {
                n++;
            }
        }
        return n;
    }

    /**
     * The User-Name AccountingTraffic gives session {@code s}: the same in every traffic, so
     * arrivals are cleared between runs.
     */
    private static String username(AccountingTraffic traffic, int s) {
        return "guest-" + s;
    }

    private String subscribe(String url) throws IOException, InterruptedException {
        String body =
                JSON.writeValueAsString(
                        Map.of(
                                "url",
                                url,
                                "event_types",
                                List.of("session.started", "session.ended")));
        JsonNode created =
                JSON.readTree(send("POST", "/admin/tenants/" + tenant + "/webhooks", body, 201));
        return created.get("id").asText();
    }

    /**
     * A tenant of its own with an endpoint on a loopback port nothing listens on, and {@code
     * deliveries} sessions imported (the import's largest batches) so that each is a {@code
     * session.started} due to it. Left in the database: the run's is a fresh one.
     */
    private void backlogOfAnotherTenant(int deliveries) throws IOException, InterruptedException {
        String other =
                JSON.readTree(
                                send(
                                        "POST",
                                        "/admin/tenants",
                                        JSON.writeValueAsString(
                                                Map.of(
                                                        "name", "Backlog",
                                                        "time_zone", "Europe/London")),
                                        201))
                        .get("id")
                        .asText();
        String venue =
                JSON.readTree(
                                send(
                                        "POST",
                                        "/admin/tenants/" + other + "/locations",
                                        JSON.writeValueAsString(
                                                Map.of(
                                                        "name", "Backlog venue",
                                                        "time_zone", "Europe/London")),
                                        201))
                        .get("id")
                        .asText();
        int refusing;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = probe.getLocalPort();
        }
        send(
                "POST",
                "/admin/tenants/" + other + "/webhooks",
                JSON.writeValueAsString(
                        Map.of(
                                "url",
                                "http://127.0.0.1:" + refusing + "/down",
                                "event_types",
                                List.of("session.started"))),
                201);
        Instant start = Instant.now().minus(Duration.ofHours(2));
        for (int from = 0; from < deliveries; from += IMPORT_BATCH) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(deliveries, from + IMPORT_BATCH); i++) {
                batch.add(
                        Map.of(
                                "location_id",
                                venue,
                                "username",
                                "backlog-" + i,
                                "start_time",
                                start.toString(),
                                "end_time",
                                start.plusSeconds(600).toString()));
            }
            send(
                    "POST",
                    "/admin/tenants/" + other + "/sessions",
                    JSON.writeValueAsString(batch),
                    201);
        }
    }

    /** The most session records the admin import takes at once. */
    private static final int IMPORT_BATCH = 1000;

    private void delete(String endpoint) throws IOException, InterruptedException {
        send("DELETE", "/admin/tenants/" + tenant + "/webhooks/" + endpoint, null, 204);
    }

    private String send(String method, String path, String body, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(api + path))
                        .header("Authorization", "Bearer " + adminToken)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response =
                client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(
                    method
                            + " "
                            + path
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        return response.body();
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int at =
                (int)
                        Math.min(
                                sorted.size() - 1,
                                Math.max(0, Math.ceil(p / 100 * sorted.size()) - 1));
        return sorted.get(at) / 1e6;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
