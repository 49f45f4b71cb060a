package captiva.ingest.radius.load;

import captiva.common.radius.RadiusCodecException;
import captiva.common.radius.RadiusPacket;
import captiva.ingest.radius.load.AccountingTraffic.Packet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends pre-encoded Accounting-Requests the way a busy NAS does, and records exactly which were
 * acknowledged. At most {@code window} packets are in flight; one unanswered for {@code timeout} is
 * sent again with the same bytes (same Identifier and Request Authenticator, so the server can tell
 * a retransmit), and given up after {@code maxTries} sends. An answer counts only if it is, byte
 * for byte, the Accounting-Response of one of the run's requests (Response Authenticator included);
 * an answer arriving after its packet was given up still counts as an acknowledgement, since the
 * server did send it.
 *
 * <p>Identifiers are 8 bits, so a window above 256 needs more than one socket: packet {@code i}
 * goes out on socket {@code (i / 256) % sockets}, and a packet whose socket and Identifier are
 * still taken by an earlier one waits for it, as a NAS must. One thread, no busy waiting: it sleeps
 * in {@link Selector#select(long)} until an answer arrives or the earliest retransmit is due. Every
 * run is bounded by its packet list and by {@code maxDuration}.
 */
public final class AccountingLoad {

    private static final int IDENTIFIERS = 256;
    private static final int FREE = -1;

    /**
     * How to send.
     *
     * @param target the accounting server; loopback in tests and benchmarks
     * @param localAddress where the sockets bind (the NAS's source address)
     * @param window most packets in flight at once
     * @param timeout how long to wait for an answer before sending again
     * @param maxTries sends per packet, first one included, before giving up on it
     * @param maxDuration the whole run stops after this, whatever is still in flight
     */
    public record Settings(
            InetSocketAddress target,
            InetAddress localAddress,
            int window,
            Duration timeout,
            int maxTries,
            Duration maxDuration) {
        public Settings {
            if (window < 1 || maxTries < 1) {
                throw new IllegalArgumentException("window and maxTries must be at least 1");
            }
        }

        public Settings withTarget(InetSocketAddress newTarget) {
            return new Settings(newTarget, localAddress, window, timeout, maxTries, maxDuration);
        }

        public Settings withWindow(int newWindow) {
            return new Settings(target, localAddress, newWindow, timeout, maxTries, maxDuration);
        }

        public Settings withMaxDuration(Duration newMaxDuration) {
            return new Settings(target, localAddress, window, timeout, maxTries, newMaxDuration);
        }

        int sockets() {
            return (window + IDENTIFIERS - 1) / IDENTIFIERS;
        }
    }

    /** What became of each packet of a run. */
    public enum Fate {
        /**
         * Not part of the run, or the run ended (or stopped sending new packets) before its turn.
         */
        NOT_SENT,
        /**
         * Sent, no answer yet (only while running; at the end such packets are {@link #ABANDONED}).
         */
        IN_FLIGHT,
        /** Its exact Accounting-Response came back: the server says it is stored. */
        ACKNOWLEDGED,
        /** No answer after {@code maxTries} sends. */
        GAVE_UP,
        /** Still unanswered when the run hit {@code maxDuration}. */
        ABANDONED
    }

    private final Settings settings;
    private final AccountingTraffic traffic;
    private final AtomicInteger acknowledgedSoFar = new AtomicInteger();
    private volatile boolean sendingNew = true;

    public AccountingLoad(Settings settings, AccountingTraffic traffic) {
        this.settings = settings;
        this.traffic = traffic;
    }

    /**
     * Acknowledged packets of the current run so far; safe to read from another thread while it
     * runs.
     */
    public int acknowledgedSoFar() {
        return acknowledgedSoFar.get();
    }

    /**
     * Sends no packet for the first time from now on; those in flight are still retransmitted until
     * answered or given up, so the run ends after at most {@code timeout * maxTries}. Safe from
     * another thread: it is how a test stops a run against a server it just killed.
     */
    public void stopSendingNew() {
        sendingNew = false;
    }

    /** Sends the whole traffic. */
    public Result run() {
        return run(traffic.packets());
    }

    /**
     * Sends these packets of the traffic (e.g. those a previous run did not get acknowledged), in
     * the order given, each with its original bytes.
     */
    public Result run(List<Packet> packets) {
        acknowledgedSoFar.set(0);
        sendingNew = true;
        try (Sender sender = new Sender(packets)) {
            return sender.run();
        } catch (IOException e) {
            throw new UncheckedIOException("load run against " + settings.target() + " failed", e);
        }
    }

    /**
     * A retransmit timer: stale once the packet was answered or sent again ({@code attempt} moved
     * on).
     */
    private record Due(int packet, int attempt, long atNanos) {}

    private final class Sender implements AutoCloseable {
        private final List<Packet> order;
        private final Fate[] fates;
        private final int[] tries;
        private final long[] firstSentNanos;
        private final long[] acknowledgedNanos;
        private final DatagramChannel[] sockets;
        private final int[][] inFlightByIdentifier;

        /**
         * Packets by the first 8 octets of their Response Authenticator: any answer finds its
         * request.
         */
        private final Map<Long, Integer> byResponse = new HashMap<>();

        private final Selector selector;
        private final ArrayDeque<Due> due = new ArrayDeque<>();
        private final ByteBuffer answer = ByteBuffer.allocateDirect(4096);
        private final byte[] answerBytes = new byte[4096];
        private final long timeoutNanos = settings.timeout().toNanos();
        private int inFlight;
        private long retransmits;
        private long repeatedAnswers;
        private long lateAnswers;
        private long forgedAnswers;
        private long sendErrors;

        Sender(List<Packet> order) throws IOException {
            this.order = order;
            for (Packet packet : order) {
                byResponse.put(responseKey(packet.response()), packet.index());
            }
            int size = traffic.packets().size();
            fates = new Fate[size];
            Arrays.fill(fates, Fate.NOT_SENT);
            tries = new int[size];
            firstSentNanos = new long[size];
            acknowledgedNanos = new long[size];
            int count = settings.sockets();
            sockets = new DatagramChannel[count];
            inFlightByIdentifier = new int[count][IDENTIFIERS];
            selector = Selector.open();
            for (int i = 0; i < count; i++) {
                Arrays.fill(inFlightByIdentifier[i], FREE);
                DatagramChannel socket = DatagramChannel.open();
                sockets[i] = socket;
                // A window of answers can arrive while this thread is busy sending: room for all of
                // them.
                socket.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
                socket.setOption(StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
                socket.bind(new InetSocketAddress(settings.localAddress(), 0));
                socket.connect(settings.target());
                socket.configureBlocking(false);
                socket.register(selector, SelectionKey.OP_READ, i);
            }
        }

        Result run() throws IOException {
            long started = System.nanoTime();
            long stopAt = started + settings.maxDuration().toNanos();
            int next = 0;
            boolean hitMaxDuration = false;
            while (true) {
                long now = System.nanoTime();
                if (now - stopAt >= 0) {
                    hitMaxDuration = true;
                    break;
                }
                while (sendingNew && inFlight < settings.window() && next < order.size()) {
                    Packet packet = order.get(next);
                    if (inFlightByIdentifier[socketOf(packet)][packet.identifier()] != FREE) {
                        break; // its Identifier is still taken on its socket: wait, like a NAS
                    }
                    firstSentNanos[packet.index()] = now;
                    send(packet, now);
                    next++;
                }
                if (inFlight == 0 && (next == order.size() || !sendingNew)) {
                    break;
                }
                long waitNanos = due.isEmpty() ? timeoutNanos : due.peekFirst().atNanos() - now;
                waitNanos = Math.min(waitNanos, stopAt - now);
                if (waitNanos > 0) {
                    selector.select(Math.max(1, waitNanos / 1_000_000));
                } else {
                    selector.selectNow();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    receive((Integer) key.attachment());
                }
                selector.selectedKeys().clear();
                retransmitOrGiveUp(System.nanoTime());
            }
            long ended = System.nanoTime();
            for (Packet packet : order) {
                if (fates[packet.index()] == Fate.IN_FLIGHT) {
                    fates[packet.index()] = Fate.ABANDONED;
                }
            }
            return new Result(
                    order,
                    fates,
                    tries,
                    firstSentNanos,
                    acknowledgedNanos,
                    started,
                    ended,
                    retransmits,
                    repeatedAnswers,
                    lateAnswers,
                    forgedAnswers,
                    sendErrors,
                    hitMaxDuration);
        }

        private int socketOf(Packet packet) {
            return (packet.index() / IDENTIFIERS) % sockets.length;
        }

        private void send(Packet packet, long now) throws IOException {
            int socket = socketOf(packet);
            if (tries[packet.index()] == 0) {
                fates[packet.index()] = Fate.IN_FLIGHT;
                inFlightByIdentifier[socket][packet.identifier()] = packet.index();
                inFlight++;
            }
            tries[packet.index()]++;
            due.addLast(new Due(packet.index(), tries[packet.index()], now + timeoutNanos));
            try {
                // Connected, so a dead server's ICMP Port Unreachable surfaces here or on read;
                // the datagram is then simply lost and the timer sends it again.
                if (sockets[socket].write(ByteBuffer.wrap(packet.request())) == 0) {
                    sendErrors++;
                }
            } catch (PortUnreachableException serverGone) {
                sendErrors++;
            }
        }

        private void receive(int socket) throws IOException {
            while (true) {
                int length;
                try {
                    answer.clear();
                    length = sockets[socket].read(answer);
                } catch (PortUnreachableException serverGone) {
                    sendErrors++;
                    return; // the error is consumed; answers still queued make the selector fire
                    // again
                }
                if (length <= 0) {
                    return;
                }
                answer.flip();
                answer.get(answerBytes, 0, length);
                judge(socket, length, System.nanoTime());
            }
        }

        private void judge(int socket, int length, long now) {
            RadiusPacket decoded;
            try {
                decoded = RadiusPacket.decode(answerBytes, length);
            } catch (RadiusCodecException malformed) {
                forgedAnswers++;
                return;
            }
            byte[] bytes = decoded.bytes();
            Integer index = bytes.length < 20 ? null : byResponse.get(responseKey(bytes));
            // Whole-datagram equality: Code, Identifier, Length and the Response Authenticator,
            // which
            // only a holder of the secret who saw this very request can compute.
            if (index == null || !Arrays.equals(bytes, traffic.packets().get(index).response())) {
                forgedAnswers++;
                return;
            }
            Packet packet = traffic.packets().get(index);
            switch (fates[index]) {
                case IN_FLIGHT -> {
                    inFlightByIdentifier[socketOf(packet)][packet.identifier()] = FREE;
                    inFlight--;
                    acknowledge(index, now);
                }
                case GAVE_UP -> {
                    lateAnswers++; // the server did acknowledge it, after we stopped waiting
                    acknowledge(index, now);
                }
                default -> repeatedAnswers++; // the answer to a retransmit of a packet already
                    // answered
            }
        }

        private void acknowledge(int index, long now) {
            fates[index] = Fate.ACKNOWLEDGED;
            acknowledgedNanos[index] = now;
            acknowledgedSoFar.incrementAndGet();
        }

        private void retransmitOrGiveUp(long now) throws IOException {
            while (!due.isEmpty() && due.peekFirst().atNanos() - now <= 0) {
                Due timer = due.pollFirst();
                if (fates[timer.packet()] != Fate.IN_FLIGHT
                        || tries[timer.packet()] != timer.attempt()) {
                    continue;
                }
                Packet packet = traffic.packets().get(timer.packet());
                if (tries[timer.packet()] >= settings.maxTries()) {
                    fates[timer.packet()] = Fate.GAVE_UP;
                    inFlightByIdentifier[socketOf(packet)][packet.identifier()] = FREE;
                    inFlight--;
                } else {
                    retransmits++;
                    send(packet, now);
                }
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            for (DatagramChannel socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static long responseKey(byte[] response) {
        long key = 0;
        for (int i = 4; i < 12; i++) {
            key = key << 8 | (response[i] & 0xff);
        }
        return key;
    }

    /** The outcome of one run: each packet's fate, and the counts a benchmark reports. */
    public static final class Result {
        private final List<Packet> sent;
        private final Fate[] fates;
        private final int[] tries;
        private final long[] firstSentNanos;
        private final long[] acknowledgedNanos;
        private final long startedNanos;
        private final long endedNanos;
        private final long retransmits;
        private final long repeatedAnswers;
        private final long lateAnswers;
        private final long forgedAnswers;
        private final long sendErrors;
        private final boolean hitMaxDuration;

        Result(
                List<Packet> sent,
                Fate[] fates,
                int[] tries,
                long[] firstSentNanos,
                long[] acknowledgedNanos,
                long startedNanos,
                long endedNanos,
                long retransmits,
                long repeatedAnswers,
                long lateAnswers,
                long forgedAnswers,
                long sendErrors,
                boolean hitMaxDuration) {
            this.sent = sent;
            this.fates = fates;
            this.tries = tries;
            this.firstSentNanos = firstSentNanos;
            this.acknowledgedNanos = acknowledgedNanos;
            this.startedNanos = startedNanos;
            this.endedNanos = endedNanos;
            this.retransmits = retransmits;
            this.repeatedAnswers = repeatedAnswers;
            this.lateAnswers = lateAnswers;
            this.forgedAnswers = forgedAnswers;
            this.sendErrors = sendErrors;
            this.hitMaxDuration = hitMaxDuration;
        }

        public Fate fate(Packet packet) {
            return fates[packet.index()];
        }

        public boolean acknowledged(Packet packet) {
            return fates[packet.index()] == Fate.ACKNOWLEDGED;
        }

        /** When the packet's answer arrived ({@link System#nanoTime()}), or 0 when none did. */
        public long acknowledgedAtNanos(Packet packet) {
            return acknowledgedNanos[packet.index()];
        }

        /** The packets this run was given, in send order. */
        public List<Packet> packets() {
            return sent;
        }

        public List<Packet> acknowledgedPackets() {
            return sent.stream().filter(this::acknowledged).toList();
        }

        /** Packets of this run that never got their answer, whatever the reason. */
        public List<Packet> unacknowledged() {
            return sent.stream().filter(p -> !acknowledged(p)).toList();
        }

        public long count(Fate fate) {
            return sent.stream().filter(p -> fates[p.index()] == fate).count();
        }

        /** Sends beyond the first of each packet. */
        public long retransmits() {
            return retransmits;
        }

        /**
         * Further answers to packets already acknowledged: the server answering their retransmits.
         */
        public long repeatedAnswers() {
            return repeatedAnswers;
        }

        /** Answers to packets already given up on; those packets count as acknowledged. */
        public long lateAnswers() {
            return lateAnswers;
        }

        /**
         * Answers that did not decode or are the Accounting-Response of none of the run's requests.
         */
        public long forgedAnswers() {
            return forgedAnswers;
        }

        /** Datagrams the kernel refused, or ICMP Port Unreachable reports (nobody listening). */
        public long sendErrors() {
            return sendErrors;
        }

        /**
         * Whether the run was cut off by {@code maxDuration}, with packets still unsent or
         * unanswered: its rate then measures the cap as much as the server.
         */
        public boolean hitMaxDuration() {
            return hitMaxDuration;
        }

        /** From the first send to the last answer (or to the end when nothing was answered). */
        public Duration busy() {
            long last = startedNanos;
            for (Packet packet : sent) {
                last = Math.max(last, acknowledgedNanos[packet.index()]);
            }
            return Duration.ofNanos((last == startedNanos ? endedNanos : last) - startedNanos);
        }

        public Duration elapsed() {
            return Duration.ofNanos(endedNanos - startedNanos);
        }

        /** Acknowledged packets per second over {@link #busy()}. */
        public double acknowledgedPerSecond() {
            double seconds = busy().toNanos() / 1e9;
            return seconds == 0 ? 0 : count(Fate.ACKNOWLEDGED) / seconds;
        }

        /**
         * Time from a packet's first send to its answer, at this percentile (0 to 100) of
         * acknowledged packets.
         */
        public Duration latencyPercentile(double percentile) {
            List<Long> latencies = new ArrayList<>();
            for (Packet packet : sent) {
                if (acknowledged(packet)) {
                    latencies.add(
                            acknowledgedNanos[packet.index()] - firstSentNanos[packet.index()]);
                }
            }
            if (latencies.isEmpty()) {
                return Duration.ZERO;
            }
            latencies.sort(null);
            int at =
                    (int)
                            Math.min(
                                    latencies.size() - 1,
                                    Math.ceil(percentile / 100 * latencies.size()) - 1);
            return Duration.ofNanos(latencies.get(Math.max(0, at)));
        }

        /** Sends of this packet, retransmits included. */
        public int tries(Packet packet) {
            return tries[packet.index()];
        }
    }
}
