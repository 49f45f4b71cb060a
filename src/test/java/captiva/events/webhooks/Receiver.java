package captiva.events.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A real HTTP receiver for webhooks (the JDK's server on loopback): it answers with the statuses it
 * is told, in turn, then with its default, and keeps every request it got.
 */
public final class Receiver implements AutoCloseable {

    /** One request as received. */
    public record Received(Map<String, List<String>> headers, String body, long receivedAtNanos) {
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Integer> next = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private volatile IntSupplier defaultStatus = () -> 200;
    private volatile long delayMillis;
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> inFlightById =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger mostAtOnceOfOneId = new AtomicInteger();

    public Receiver() {
        try {
            server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext(
                "/",
                exchange -> {
                    int now = inFlight.incrementAndGet();
                    mostAtOnce.accumulateAndGet(now, Math::max);
                    String id = String.valueOf(exchange.getRequestHeaders().getFirst("webhook-id"));
                    AtomicInteger sameId =
                            inFlightById.computeIfAbsent(id, k -> new AtomicInteger());
                    mostAtOnceOfOneId.accumulateAndGet(sameId.incrementAndGet(), Math::max);
                    try {
                        String body =
                                new String(
                                        exchange.getRequestBody().readAllBytes(),
                                        StandardCharsets.UTF_8);
                        received.add(
                                new Received(
                                        Map.copyOf(exchange.getRequestHeaders()),
                                        body,
                                        System.nanoTime()));
                        if (delayMillis > 0) {
                            Thread.sleep(
                                    delayMillis); // a receiver that takes its time to answer, not a
                            // wait in a test
                        }
                        Integer status = next.poll();
                        exchange.sendResponseHeaders(
                                status != null ? status : defaultStatus.getAsInt(), -1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        sameId.decrementAndGet();
                        inFlight.decrementAndGet();
                        exchange.close();
                    }
                });
        server.start();
    }

    /** The next answers, in order; after them, the default. */
    public Receiver answering(Integer... statuses) {
        next.addAll(List.of(statuses));
        return this;
    }

    public Receiver byDefault(int status) {
        defaultStatus = () -> status;
        return this;
    }

    /** Answers each request only after this long, as a slow receiver does. */
    public Receiver answeringAfter(java.time.Duration delay) {
        delayMillis = delay.toMillis();
        return this;
    }

    /**
     * The most requests with one webhook-id (one event) this receiver was handling at one moment.
     */
    public int mostAtOnceOfOneEvent() {
        return mostAtOnceOfOneId.get();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    /** The most requests this receiver was handling at one moment. */
    public int mostAtOnce() {
        return mostAtOnce.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
