package captiva.ingest.radius.load;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.testing.CommandLineOptions;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How much junk one instance absorbs. Junk Accounting-Requests (each naming a NAS that does not
 * exist) go to the RADIUS port at rising offered rates, while a registered NAS sends valid
 * Accounting-Requests at a steady rate beside them. Each step reports what the sender achieved,
 * what the service judged ({@code captiva_radius_packets_total}), what the kernel dropped at the
 * socket ({@code captiva_radius_kernel_drops_total}) and how many of the NAS's packets were
 * answered on their first try, within a second.
 *
 * <p>Options: {@code --port}, {@code --http-port}, {@code --secret}, {@code --nas-identifier} (the
 * registered NAS), {@code --rates} (junk datagrams a second, comma-separated), {@code --seconds}
 * per step, {@code --valid-per-second}, {@code --senders} (threads sending junk, 2).
 */
public final class FloodBenchmark {

    private FloodBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = CommandLineOptions.parse(args);
        InetAddress host = InetAddress.getByName("127.0.0.1");
        int port = Integer.parseInt(options.getOrDefault("port", "1813"));
        int httpPort = Integer.parseInt(options.getOrDefault("http-port", "8080"));
        byte[] secret =
                options.getOrDefault("secret", "testing123").getBytes(StandardCharsets.UTF_8);
        String nasIdentifier = options.get("nas-identifier");
        int[] rates =
                Arrays.stream(options.getOrDefault("rates", "10000,25000,50000,100000").split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray();
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "5"));
        int validPerSecond = Integer.parseInt(options.getOrDefault("valid-per-second", "200"));
        int senders = Integer.parseInt(options.getOrDefault("senders", "2"));

        // Warm-up, not reported: the JIT, the NAS cache and the pool's connections, as a running
        // instance has them.
        Thread warmUp =
                new Thread(new Valid(host, port, secret, nasIdentifier, validPerSecond, 3, 0));
        warmUp.start();
        flood(host, port, secret, 5_000, 3, 1);
        warmUp.join();

        System.out.printf(
                "%-10s %10s %10s %10s %12s %14s%n",
                "offered/s", "sent/s", "judged/s", "kernel/s", "kernel drop", "valid answered");
        for (int rate : rates) {
            Map<String, Double> before = metrics(httpPort);
            Valid valid =
                    new Valid(host, port, secret, nasIdentifier, validPerSecond, seconds, rate);
            Thread validThread = new Thread(valid, "valid-nas");
            validThread.start();
            long sent = flood(host, port, secret, rate, seconds, senders);
            validThread.join();
            Thread.sleep(2_000); // the service judges what it queued
            Map<String, Double> after = metrics(httpPort);
            double judged = after.get("judged") - before.get("judged") - valid.sent.get();
            double kernel = after.get("kernel") - before.get("kernel");
            System.out.printf(
                    "%-10d %10.0f %10.0f %10.0f %11.1f%% %8d/%d%n",
                    rate,
                    sent / (double) seconds,
                    judged / seconds,
                    kernel / seconds,
                    100 * kernel / Math.max(1, sent + valid.sent.get()),
                    valid.answered.get(),
                    valid.sent.get());
        }
    }

    /** Junk from {@code senders} threads sharing the rate. Returns how many datagrams were sent. */
    private static long flood(
            InetAddress host, int port, byte[] secret, int rate, int seconds, int senders)
            throws InterruptedException {
        AtomicLong sent = new AtomicLong();
        Thread[] threads = new Thread[senders];
        for (int t = 0; t < senders; t++) {
            int share = rate / senders;
            threads[t] =
                    new Thread(
                            () -> {
                                try {
                                    sent.addAndGet(flood(host, port, secret, share, seconds));
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            "flood-" + t);
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return sent.get();
    }

    /**
     * Junk at a paced rate: every millisecond, the datagrams due by then. Returns how many were
     * sent.
     */
    private static long flood(InetAddress host, int port, byte[] secret, int rate, int seconds)
            throws IOException {
        Random random = new Random(rate ^ Thread.currentThread().getId());
        byte[][] junk = new byte[256][];
        for (int i = 0; i < junk.length; i++) {
            junk[i] =
                    RadiusPacketBuilder.accountingRequest(i)
                            .acctStatusType(AcctStatusType.INTERIM_UPDATE)
                            .acctSessionId("junk-" + random.nextLong())
                            .nasIdentifier("no-such-nas-" + random.nextInt(1_000_000))
                            .build(secret);
        }
        long sent = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            for (long now = start; now < end; now = System.nanoTime()) {
                long due = (now - start) * rate / 1_000_000_000L;
                for (; sent < due; sent++) {
                    byte[] datagram = junk[(int) (sent & 255)];
                    socket.send(new DatagramPacket(datagram, datagram.length, host, port));
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
        return sent;
    }

    /**
     * The registered NAS: one new session's Start at a time, paced, each answer awaited at most a
     * second.
     */
    private static final class Valid implements Runnable {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        private final InetAddress host;
        private final int port;
        private final byte[] secret;
        private final String nasIdentifier;
        private final int perSecond;
        private final int seconds;
        private final int step;
        private final Map<Integer, Long> waiting = new ConcurrentHashMap<>();

        Valid(
                InetAddress host,
                int port,
                byte[] secret,
                String nasIdentifier,
                int perSecond,
                int seconds,
                int step) {
            this.host = host;
            this.port = port;
            this.secret = secret;
            this.nasIdentifier = nasIdentifier;
            this.perSecond = perSecond;
            this.seconds = seconds;
            this.step = step;
        }

        @Override
        public void run() {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(50);
                AtomicLong receiving = new AtomicLong(1);
                Thread receiver = new Thread(() -> receive(socket, receiving), "valid-answers");
                receiver.start();
                long start = System.nanoTime();
                int total = perSecond * seconds;
                for (int i = 0; i < total; i++) {
                    long at = start + i * 1_000_000_000L / perSecond;
                    LockSupport.parkNanos(at - System.nanoTime());
                    int identifier = i & 255;
                    byte[] packet =
                            RadiusPacketBuilder.accountingRequest(identifier)
                                    .acctStatusType(AcctStatusType.START)
                                    .acctSessionId(
                                            "flood-" + step + "-" + System.nanoTime() + "-" + i)
                                    .userName("guest-" + i)
                                    .nasIdentifier(nasIdentifier)
                                    .build(secret);
                    waiting.put(identifier, System.nanoTime());
                    socket.send(new DatagramPacket(packet, packet.length, host, port));
                    sent.incrementAndGet();
                }
                Thread.sleep(1_100);
                receiving.set(0);
                receiver.join();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        private void receive(DatagramSocket socket, AtomicLong receiving) {
            byte[] buffer = new byte[4096];
            while (receiving.get() == 1) {
                try {
                    DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
                    socket.receive(answer);
                    Long sentAt = waiting.remove(buffer[1] & 0xff);
                    if (sentAt != null && System.nanoTime() - sentAt < 1_000_000_000L) {
                        answered.incrementAndGet();
                    }
                } catch (SocketTimeoutException quiet) {
                    // nothing yet
                } catch (IOException e) {
                    return;
                }
            }
        }
    }

    /**
     * The two counters, from the Prometheus scrape: every packet judged, and the kernel's drops.
     */
    private static Map<String, Double> metrics(int httpPort)
            throws IOException, InterruptedException {
        String text =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + httpPort
                                                                + "/prometheus"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        double judged = 0;
        double kernel = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("captiva_radius_packets_total{")) {
                judged += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("captiva_radius_kernel_drops_total")) {
                kernel += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Map.of("judged", judged, "kernel", kernel);
    }
}
