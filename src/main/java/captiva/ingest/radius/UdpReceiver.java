package captiva.ingest.radius;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RADIUS accounting over UDP (RFC 2866): one thread receives datagrams, has each judged, answers at
 * once what needs no transaction and hands the rest to the {@link WriterPool}, whose answers go
 * back out through the same socket. The receive loop never exits because of one packet.
 */
@Singleton
class UdpReceiver implements Receiver, AnswerChannel {

    private static final Logger LOG = LoggerFactory.getLogger(RadiusListener.class);
    private static final int MAX_DATAGRAM = 4096;

    private final InetSocketAddress bindTo;
    private final int receiveBufferBytes;
    private final PacketJudge judge;
    private final WriterPool writers;
    private final PacketMetrics metrics;

    /** Held here for the socket's lifetime: the metric that reads it holds it only weakly. */
    private KernelSocketDrops kernelDrops;

    private DatagramChannel channel;
    private Selector selector;
    private Thread thread;
    private volatile boolean receiving;

    @Inject
    UdpReceiver(
            RadiusProperties properties,
            AccountingPacketHandler judge,
            WriterPool writers,
            PacketMetrics metrics) {
        this(
                new InetSocketAddress(properties.bindAddress(), properties.accountingPort()),
                properties.receiveBuffer(),
                judge,
                writers,
                metrics);
    }

    UdpReceiver(
            InetSocketAddress bindTo,
            int receiveBufferBytes,
            PacketJudge judge,
            WriterPool writers,
            PacketMetrics metrics) {
        this.bindTo = bindTo;
        this.receiveBufferBytes = receiveBufferBytes;
        this.judge = judge;
        this.writers = writers;
        this.metrics = metrics;
    }

    @Override
    public synchronized void start() {
        if (channel != null) {
            return;
        }
        try {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            channel.bind(bindTo);
            grantedBuffer(channel.getOption(StandardSocketOptions.SO_RCVBUF));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot listen for RADIUS accounting on "
                            + bindTo.getHostString()
                            + ":"
                            + bindTo.getPort()
                            + " (set CAPTIVA_RADIUS_ACCOUNTING_PORT)",
                    e);
        }
        receiving = true;
        thread = new Thread(this::receive, "radius-receive");
        thread.start();
    }

    /**
     * The buffer absorbs bursts while the receive thread is busy; what does not fit, the kernel
     * drops. Linux grants at most net.core.rmem_max (and reports twice what it grants), so a
     * smaller grant is said once, with what to raise.
     */
    private void grantedBuffer(int granted) {
        kernelDrops = new KernelSocketDrops(port());
        metrics.socket(granted, kernelDrops);
        if (granted < receiveBufferBytes) {
            LOG.warn(
                    "The RADIUS socket's receive buffer is {} bytes, not the {} asked for (captiva.radius.receive-buffer): "
                            + "the kernel caps it; on Linux raise it with sysctl -w net.core.rmem_max={}",
                    granted,
                    receiveBufferBytes,
                    receiveBufferBytes);
        }
    }

    /** The bound UDP port; differs from the configured one when that is 0. */
    int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM + 1);
        while (receiving) {
            try {
                if (selector.select(100) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                SocketAddress sender;
                while (receiving && (sender = channel.receive(buffer.clear())) != null) {
                    take(buffer.array(), buffer.position(), (InetSocketAddress) sender);
                }
            } catch (IOException | RuntimeException e) {
                // One bad packet or a transient socket error must never stop the listener.
                if (receiving) {
                    LOG.warn("RADIUS receive failed; going on: {}", e.toString());
                }
            }
        }
    }

    private void take(byte[] datagram, int length, InetSocketAddress sender) {
        Verdicts.follow(
                judge.handle(datagram, length, sender), this, sender, judge, writers, metrics);
    }

    /**
     * A full socket buffer is waited out briefly; an answer still not sent is counted, and the NAS
     * retransmits.
     */
    @Override
    public void answer(byte[] response, SocketAddress to) {
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                if (channel.send(ByteBuffer.wrap(response), to) > 0) {
                    return;
                }
                Thread.sleep(1);
            }
            metrics.count("answer_not_sent");
        } catch (IOException e) {
            metrics.count("answer_not_sent");
            LOG.debug("Could not answer {}: {}", to, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stopReceiving() {
        receiving = false;
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing the RADIUS socket: {}", e.toString());
        }
    }
}
