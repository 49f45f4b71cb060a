package captiva.ingest.radius;

import captiva.common.radius.RadiusPacket;
import captiva.ingest.radius.NasSecrets.KnownNas;
import captiva.tenancy.NasRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RadSec (RFC 6614): RADIUS accounting over TLS on TCP, with mutual TLS. The client certificate
 * must be issued by the configured client CA and name a registered NAS (its subject CN or a SAN DNS
 * name equals the NAS's {@code tls_identity}); every packet on the connection is that NAS's,
 * checked with the secret {@code radsec}. Packets are framed by their RADIUS Length field; each is
 * judged, queued and answered exactly as over UDP, so an Accounting-Response still means committed,
 * and it goes back on the connection the request came on.
 *
 * <p>Hostile peers cost little: connections are bounded ({@code max-connections}); a handshake or a
 * packet that takes longer than {@code read-timeout} closes the connection, as does silence longer
 * than {@code idle-timeout} and a Length field outside 20..4096. Refusals are counted in {@code
 * captiva.radius.radsec.refused{reason}}.
 */
@Singleton
@Requires(property = "captiva.radius.radsec.certificate")
@Requires(property = "captiva.radius.enabled", notEquals = "false")
class RadSecReceiver implements Receiver {

    private static final Logger LOG = LoggerFactory.getLogger(RadiusListener.class);

    /** RFC 6614 s2.3: the shared secret of RADIUS over TLS. */
    static final byte[] SECRET = "radsec".getBytes(StandardCharsets.US_ASCII);

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final int ANSWERS_WAITING = 256;
    private static final int SUBJECT_ALT_NAME_DNS = 2;

    /**
     * Why a connection was closed before or while it carried packets; the tag of the refused
     * counter.
     */
    enum Refusal {
        TOO_MANY_CONNECTIONS,
        HANDSHAKE_FAILED,
        UNTRUSTED_CERTIFICATE,
        NO_CERTIFICATE,
        UNREGISTERED_CERTIFICATE,
        BAD_LENGTH,
        SLOW,
        IDLE,
        ANSWERS_NOT_READ;

        String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final InetSocketAddress bindTo;
    private final Duration recheckEvery;
    private final RadSecProperties properties;
    private final NasRegistry registry;
    private final PacketJudge judge;
    private final WriterPool writers;
    private final PacketMetrics metrics;
    private final MeterRegistry meters;
    private final Semaphore slots;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger numbers = new AtomicInteger();
    private SSLServerSocket server;
    private Thread acceptor;
    private volatile boolean receiving;

    @Inject
    RadSecReceiver(
            RadiusProperties radius,
            RadSecProperties properties,
            NasRegistry registry,
            AccountingPacketHandler judge,
            WriterPool writers,
            PacketMetrics metrics,
            MeterRegistry meters) {
        this.bindTo = new InetSocketAddress(radius.bindAddress(), properties.port());
        this.recheckEvery = radius.nasCacheTtl();
        this.properties = properties;
        this.registry = registry;
        this.judge = judge;
        this.writers = writers;
        this.metrics = metrics;
        this.meters = meters;
        this.slots = new Semaphore(properties.maxConnections());
        for (Refusal refusal : Refusal.values()) {
            meters.counter("captiva.radius.radsec.refused", "reason", refusal.metricName());
        }
        meters.gauge("captiva.radius.radsec.connections", connections, Set::size);
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        if (properties.key() == null || properties.clientCa() == null) {
            throw new IllegalStateException(
                    "RadSec needs captiva.radius.radsec.key and client-ca with its certificate "
                            + "(CAPTIVA_RADIUS_RADSEC_KEY, CAPTIVA_RADIUS_RADSEC_CLIENT_CA)");
        }
        SSLContext context =
                TlsFiles.context(
                        Path.of(properties.certificate()),
                        Path.of(properties.key()),
                        Path.of(properties.clientCa()));
        try {
            server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            server.setReuseAddress(true);
            server.bind(bindTo, properties.maxConnections());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot listen for RadSec on "
                            + bindTo.getHostString()
                            + ":"
                            + bindTo.getPort()
                            + " (set CAPTIVA_RADIUS_RADSEC_PORT)",
                    e);
        }
        server.setEnabledProtocols(
                Arrays.stream(PROTOCOLS)
                        .filter(p -> Arrays.asList(server.getSupportedProtocols()).contains(p))
                        .toArray(String[]::new));
        // Wanted rather than needed, so that a client without a certificate is told apart and
        // counted as such.
        server.setWantClientAuth(true);
        receiving = true;
        acceptor = new Thread(this::accept, "radsec-accept");
        acceptor.start();
        LOG.info("RadSec accounting listening on TLS {}:{}", bindTo.getHostString(), port());
    }

    /** The bound TCP port; differs from the configured one when that is 0. */
    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (receiving) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (receiving) {
                    LOG.warn("RadSec accept failed; going on: {}", e.toString());
                }
                continue;
            }
            if (!receiving || !slots.tryAcquire()) {
                refuse(
                        Refusal.TOO_MANY_CONNECTIONS,
                        socket.getRemoteSocketAddress(),
                        "at most " + properties.maxConnections());
                closeQuietly(socket);
                continue;
            }
            Connection connection = new Connection((SSLSocket) socket, numbers.incrementAndGet());
            connections.add(connection);
            connection.reader.start();
        }
    }

    private void refuse(Refusal refusal, SocketAddress from, String detail) {
        meters.counter("captiva.radius.radsec.refused", "reason", refusal.metricName()).increment();
        LOG.debug("RadSec connection from {} closed ({}): {}", from, refusal.metricName(), detail);
    }

    /** The names a certificate can be registered by: its subject CN, then its SAN DNS names. */
    static List<String> names(X509Certificate certificate) {
        Set<String> names = new LinkedHashSet<>();
        try {
            for (Rdn rdn :
                    new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    names.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException unreadable) {
            // no CN to go by; the SAN may still name it
        }
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                for (List<?> san : certificate.getSubjectAlternativeNames()) {
                    if (((Integer) san.get(0)) == SUBJECT_ALT_NAME_DNS) {
                        names.add((String) san.get(1));
                    }
                }
            }
        } catch (CertificateParsingException unreadable) {
            // the CN may still name it
        }
        return List.copyOf(names);
    }

    @Override
    public void stopReceiving() {
        receiving = false;
        closeQuietly(server);
        if (acceptor != null) {
            try {
                acceptor.join(Duration.ofSeconds(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void close() {
        receiving = false;
        closeQuietly(server);
        connections.forEach(Connection::close);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.debug("Closing a RadSec socket: {}", e.toString());
        }
    }

    /**
     * A NAS's settings changed here: its connections close, and its next connection is judged by
     * the new row (RadSec identity, Message-Authenticator). Connections to other instances read the
     * row again within {@code nas-cache-ttl} (see {@link Connection#stillTheSameNas}).
     */
    @TransactionalEventListener
    void onChange(NasRegistry.NasChanged change) {
        for (Connection connection : connections) {
            if (connection.nasId() == change.nasId()) {
                connection.close();
            }
        }
    }

    /**
     * One TLS connection of one NAS: a reader thread that takes packets in, and a sender thread
     * that writes answers, so that a peer that does not read cannot block the writer that committed
     * its packets.
     */
    private final class Connection implements AnswerChannel {

        private final SSLSocket socket;
        private final InetSocketAddress peer;
        private final Thread reader;
        private final Thread sender;
        private final BlockingQueue<byte[]> answers = new ArrayBlockingQueue<>(ANSWERS_WAITING);
        private volatile boolean open = true;
        private volatile long nasId = -1;
        private List<String> names = List.of();
        private long checkedAt;

        Connection(SSLSocket socket, int number) {
            this.socket = socket;
            this.peer = (InetSocketAddress) socket.getRemoteSocketAddress();
            this.reader = new Thread(this::read, "radsec-read-" + number);
            this.sender = new Thread(this::send, "radsec-send-" + number);
        }

        private void read() {
            try {
                Optional<KnownNas> nas = handshake();
                if (nas.isPresent()) {
                    sender.start();
                    readPackets(nas.get());
                }
            } catch (RuntimeException e) {
                // The NAS lookup's database failed (or a bug): this connection ends, the NAS
                // reconnects.
                LOG.warn("RadSec connection from {} failed: {}", peer, e.toString());
            } finally {
                close();
                connections.remove(this);
                slots.release();
            }
        }

        /**
         * The NAS the client certificate names, or empty when the connection is refused (and
         * counted).
         */
        private Optional<KnownNas> handshake() {
            X509Certificate certificate;
            try {
                socket.setSoTimeout((int) properties.readTimeout().toMillis());
                socket.startHandshake();
                certificate = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            } catch (SSLPeerUnverifiedException none) {
                refuse(Refusal.NO_CERTIFICATE, peer, "no client certificate");
                return Optional.empty();
            } catch (IOException e) {
                boolean untrusted = false;
                for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                    untrusted |= cause instanceof CertificateException;
                }
                refuse(
                        untrusted
                                ? Refusal.UNTRUSTED_CERTIFICATE
                                : e instanceof SocketTimeoutException
                                        ? Refusal.SLOW
                                        : Refusal.HANDSHAKE_FAILED,
                        peer,
                        e.toString());
                return Optional.empty();
            }
            names = names(certificate);
            Optional<KnownNas> nas = nasNamed(names);
            if (nas.isEmpty()) {
                refuse(
                        Refusal.UNREGISTERED_CERTIFICATE,
                        peer,
                        "no NAS has the TLS identity " + names);
            }
            return nas;
        }

        private Optional<KnownNas> nasNamed(List<String> certificateNames) {
            for (String name : certificateNames) {
                Optional<NasRegistry.Nas> nas = registry.findByTlsIdentity(name);
                if (nas.isPresent()) {
                    nasId = nas.get().id();
                    checkedAt = System.nanoTime();
                    return Optional.of(new KnownNas(nas.get(), SECRET));
                }
            }
            return Optional.empty();
        }

        long nasId() {
            return nasId;
        }

        /**
         * The NAS as registered now, read again at most every {@code nas-cache-ttl}: a change made
         * through another instance reaches a long-lived connection that way. Empty when the
         * certificate no longer names this NAS.
         */
        private Optional<KnownNas> stillTheSameNas(KnownNas known) {
            if (System.nanoTime() - checkedAt < recheckEvery.toNanos()) {
                return Optional.of(known);
            }
            long before = nasId;
            return nasNamed(names).filter(nas -> nas.nas().id() == before);
        }

        private void readPackets(KnownNas nas) {
            byte[] packet = new byte[RadiusPacket.MAX_LENGTH];
            try {
                InputStream in = socket.getInputStream();
                while (receiving && open) {
                    socket.setSoTimeout((int) properties.idleTimeout().toMillis());
                    int first;
                    try {
                        first = in.read();
                    } catch (SocketTimeoutException idle) {
                        refuse(Refusal.IDLE, peer, "nothing for " + properties.idleTimeout());
                        return;
                    }
                    if (first < 0) {
                        return; // the NAS closed the connection
                    }
                    packet[0] = (byte) first;
                    long deadline = System.nanoTime() + properties.readTimeout().toNanos();
                    readFully(in, packet, 1, 3, deadline);
                    int length = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
                    if (length < RadiusPacket.HEADER_LENGTH || length > RadiusPacket.MAX_LENGTH) {
                        // The stream cannot be resynchronised past a Length we do not believe (RFC
                        // 6614 s2.6.4).
                        refuse(Refusal.BAD_LENGTH, peer, "Length " + length);
                        metrics.dropped(DropReason.MALFORMED, 1, "RadSec Length " + length, peer);
                        return;
                    }
                    readFully(in, packet, 4, length - 4, deadline);
                    Optional<KnownNas> current = stillTheSameNas(nas);
                    if (current.isEmpty()) {
                        refuse(
                                Refusal.UNREGISTERED_CERTIFICATE,
                                peer,
                                "no NAS has the TLS identity " + names + " any more");
                        return;
                    }
                    nas = current.get();
                    if (receiving) {
                        take(packet, length, nas);
                    }
                }
            } catch (SocketTimeoutException slow) {
                refuse(Refusal.SLOW, peer, "a packet took longer than " + properties.readTimeout());
            } catch (IOException e) {
                LOG.debug("RadSec connection from {} ended: {}", peer, e.toString());
            }
        }

        /**
         * Reads exactly {@code count} octets by the deadline; the timeout of each read is what is
         * left of it.
         */
        private void readFully(InputStream in, byte[] into, int offset, int count, long deadline)
                throws IOException {
            int at = offset;
            while (at < offset + count) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new SocketTimeoutException("packet not complete in time");
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                int read = in.read(into, at, offset + count - at);
                if (read < 0) {
                    throw new EOFException("connection closed inside a packet");
                }
                at += read;
            }
        }

        private void take(byte[] packet, int length, KnownNas nas) {
            Verdicts.follow(
                    judge.handle(packet, length, peer, nas), this, peer, judge, writers, metrics);
        }

        /**
         * Queued for the sender thread; never blocks the writer that calls it. When the connection
         * is gone or its peer does not read its answers, the answer is counted as not sent: the NAS
         * sends the request again on its next connection, and it is answered again without being
         * applied twice.
         */
        @Override
        public void answer(byte[] response, SocketAddress to) {
            if (!open) {
                metrics.count("answer_not_sent");
                return;
            }
            if (!answers.offer(response)) {
                metrics.count("answer_not_sent");
                refuse(Refusal.ANSWERS_NOT_READ, peer, ANSWERS_WAITING + " answers waiting");
                close();
            }
        }

        private void send() {
            try {
                OutputStream out = socket.getOutputStream();
                while (open || !answers.isEmpty()) {
                    byte[] answer = answers.poll(100, TimeUnit.MILLISECONDS);
                    if (answer != null) {
                        out.write(answer);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                metrics.count("answer_not_sent");
                LOG.debug("Could not answer {} over RadSec: {}", peer, e.toString());
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void close() {
            open = false;
            closeQuietly(socket);
        }
    }
}
