package captiva.ingest.radius;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import captiva.common.IngestPressure;
import captiva.ingest.radius.AccountingPacketHandler.Verdict;
import captiva.sessions.AccountingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The UDP receiver alone, on a loopback socket: a stand-in judge reads the first letter of each
 * datagram (S store, A answer, D drop, X fail) and the batch store's transaction is a stand-in that
 * the test can hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_METHOD) // fresh stand-ins for every test
@DisplayName("RADIUS UDP receiver")
class UdpReceiverTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final CountDownLatch commitMayEnd = new CountDownLatch(1);
    private final AtomicInteger transactionsBegun = new AtomicInteger();
    private final CountDownLatch judgeHolding = new CountDownLatch(1);
    private final CountDownLatch judgeMayGoOn = new CountDownLatch(1);

    /** The smallest buffer Linux grants: a few datagrams, so that a burst overflows it at once. */
    private static final int SMALL_BUFFER = 4096;

    private WriterPool writers;
    private UdpReceiver receiver;
    private DatagramSocket nas;

    /**
     * Judges by the first letter; the answer (and the key of a stored packet) is the datagram
     * itself. H holds the receive thread until the test lets it go on.
     */
    private final class LetterJudge extends RadiusParts.RecordingJudge {
        @Override
        public Verdict handle(byte[] datagram, int length, InetSocketAddress sender) {
            String text = new String(datagram, 0, length, StandardCharsets.UTF_8);
            return switch (text.charAt(0)) {
                case 'S' ->
                        new Verdict.Store(
                                new PendingPacket(
                                        RadiusParts.start(text).event(),
                                        ("stored " + text).getBytes(StandardCharsets.UTF_8),
                                        sender,
                                        text));
                case 'A' -> new Verdict.Answer(("again " + text).getBytes(StandardCharsets.UTF_8));
                case 'D' -> new Verdict.Drop(DropReason.BAD_AUTHENTICATOR, "test");
                case 'H' -> {
                    judgeHolding.countDown();
                    waitFor(judgeMayGoOn);
                    yield new Verdict.Answer(("held " + text).getBytes(StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException("a judge that fails");
            };
        }
    }

    @BeforeEach
    void aReceiverOnAnEphemeralPort() throws IOException {
        PacketMetrics metrics = new PacketMetrics(meters, System::nanoTime);
        LetterJudge judge = new LetterJudge();
        BatchStore store =
                new BatchStore(
                        (List<AccountingEvent> events) -> {
                            transactionsBegun.incrementAndGet();
                            waitFor(commitMayEnd);
                        },
                        judge,
                        metrics,
                        meters,
                        System::nanoTime,
                        1);
        writers =
                new WriterPool(
                        store,
                        metrics,
                        meters,
                        System::nanoTime,
                        new IngestPressure(System::nanoTime),
                        1,
                        100,
                        10);
        writers.start();
        receiver =
                new UdpReceiver(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        SMALL_BUFFER,
                        judge,
                        writers,
                        metrics);
        receiver.start();
        nas = new DatagramSocket();
        nas.setSoTimeout(5_000);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void closed() throws InterruptedException {
        commitMayEnd.countDown();
        judgeMayGoOn.countDown();
        receiver.stopReceiving();
        writers.drain(Duration.ofSeconds(5));
        receiver.close();
        nas.close();
    }

    private void send(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        nas.send(
                new DatagramPacket(
                        bytes, bytes.length, InetAddress.getLoopbackAddress(), receiver.port()));
    }

    private String answer() throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[100], 100);
        nas.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private double packets(String outcome) {
        var counter = meters.find("captiva.radius.packets").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aStoredPacketIsAnsweredThroughTheSameSocketOnlyOnceItsTransactionEnded()
            throws IOException {
        send("S1");
        await().atMost(Duration.ofSeconds(5)).until(() -> transactionsBegun.get() == 1);
        nas.setSoTimeout(300);
        assertThrows(
                SocketTimeoutException.class,
                this::answer,
                "answered while the transaction was still open");

        commitMayEnd.countDown();

        nas.setSoTimeout(5_000);
        assertEquals("stored S1", answer());
    }

    @Test
    void whatNeedsNoTransactionIsAnsweredAtOnce() throws IOException {
        send("A1");

        assertEquals("again A1", answer());
        assertEquals(1, packets("answered_again"));
    }

    @Test
    void aDroppedPacketOrAFailingJudgeIsCountedAndTheNextPacketIsStillAnswered()
            throws IOException {
        send("D1");
        send("X1");
        send("A2");

        assertEquals("again A2", answer());
        assertEquals(1, packets("dropped"));
    }

    @Test
    void afterReceivingStopsTheAnswersOfPacketsAlreadyTakenStillGoOut() throws IOException {
        send("S2");
        await().atMost(Duration.ofSeconds(5)).until(() -> transactionsBegun.get() == 1);

        receiver.stopReceiving();
        commitMayEnd.countDown();

        assertEquals("stored S2", answer());
    }

    @Test
    @DisplayName(
            "datagrams the kernel drops at a full socket are counted, so the packets sent all show up")
    void kernelDropsAreCounted() throws IOException {
        assumeTrue(
                KernelSocketDrops.supported(),
                "the kernel tells its drops per socket only on Linux (/proc/net/udp)");
        send("H0");
        waitFor(judgeHolding);
        int burst = 500;
        for (int i = 0; i < burst; i++) {
            send("D" + "x".repeat(200) + i);
        }

        judgeMayGoOn.countDown();
        System.gc(); // the metric holds what it reads weakly: it must still read after a collection

        assertEquals("held H0", answer());
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertEquals(
                                        burst,
                                        packets("dropped") + kernelDrops(),
                                        "judged and dropped by the kernel, together"));
        assertTrue(
                kernelDrops() > 0,
                "a burst of " + burst + " overflowed a " + SMALL_BUFFER + "-byte buffer");
        assertTrue(
                meters.find("captiva.radius.socket.receive.buffer").gauge().value()
                        >= SMALL_BUFFER);
    }

    private double kernelDrops() {
        return meters.find("captiva.radius.kernel.drops").functionCounter().count();
    }
}
