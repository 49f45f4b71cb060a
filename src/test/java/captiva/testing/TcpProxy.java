package captiva.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback TCP proxy in front of the test PostgreSQL, to make the database fail the way networks
 * and servers do: {@link #goDown()} resets every open connection and refuses new ones (a crashed or
 * restarting server), {@link #comeBack()} listens again on the same port, and {@link #slow} delays
 * every chunk forwarded, in both directions (an overloaded server or a bad link). Two platform
 * threads per connection; everything is closed by {@link #close()}.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Pattern POSTGRES_URL =
            Pattern.compile("^(jdbc:postgresql://)([^/:?]+)(?::(\\d+))?(/.*)$");

    private record Latency(long minNanos, long maxNanos) {
        static final Latency NONE = new Latency(0, 0);
    }

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private ServerSocket listener;
    private boolean up;
    private boolean closed;
    private volatile Latency latency = Latency.NONE;

    private TcpProxy(InetSocketAddress target) {
        this.target = target;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        this.up = true;
        startAccepting(listener);
    }

    /** A proxy to any TCP server. */
    public static TcpProxy to(InetSocketAddress target) {
        return new TcpProxy(target);
    }

    /**
     * A proxy in front of the test database, with the datasource properties of {@link TestDatabase}
     * pointing at it: {@link #datasourceProperties()}.
     */
    public static TcpProxy inFrontOfTestDatabase() {
        Matcher url = matchUrl(TestDatabase.properties().get("datasources.default.url"));
        int targetPort = url.group(3) == null ? 5432 : Integer.parseInt(url.group(3));
        return to(new InetSocketAddress(url.group(2), targetPort));
    }

    /** {@link TestDatabase#properties()}, with the URL going through this proxy. */
    public Map<String, Object> datasourceProperties() {
        Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
        Matcher url = matchUrl(TestDatabase.properties().get("datasources.default.url"));
        properties.put(
                "datasources.default.url", url.group(1) + "127.0.0.1:" + port + url.group(4));
        return properties;
    }

    private static Matcher matchUrl(String url) {
        Matcher matcher = POSTGRES_URL.matcher(url);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL with a host: " + url);
        }
        return matcher;
    }

    public int port() {
        return port;
    }

    /** Connections currently forwarded. */
    public int openConnections() {
        return open.size() / 2;
    }

    /** Connections accepted since the start, to tell that clients came back after an outage. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /**
     * Resets every open connection (RST, not a polite FIN) and refuses new ones until {@link
     * #comeBack()}.
     */
    public synchronized void goDown() {
        if (!up) {
            return;
        }
        up = false;
        closeQuietly(listener);
        List.copyOf(open).forEach(TcpProxy::reset);
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    public synchronized void comeBack() {
        if (up || closed) {
            return;
        }
        listener = listen(port);
        up = true;
        startAccepting(listener);
    }

    /** Delays every chunk forwarded, either way, by a random time in [min, max]. */
    public void slow(Duration min, Duration max) {
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max below min");
        }
        latency = new Latency(min.toNanos(), max.toNanos());
    }

    /** No more added latency. */
    public void fast() {
        latency = Latency.NONE;
    }

    @Override
    public synchronized void close() {
        goDown();
        closed = true;
    }

    private static ServerSocket listen(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("proxy cannot listen on port " + port, e);
        }
    }

    private void startAccepting(ServerSocket socket) {
        Thread acceptor = new Thread(() -> accept(socket), "tcp-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException closedByGoDown) {
                return;
            }
            accepted.incrementAndGet();
            Thread connect = new Thread(() -> forward(client), "tcp-proxy-connect-" + port);
            connect.setDaemon(true);
            connect.start();
        }
    }

    private void forward(Socket client) {
        Socket server = new Socket();
        try {
            server.connect(target, 5_000);
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
        } catch (IOException e) {
            reset(client);
            closeQuietly(server);
            return;
        }
        synchronized (this) {
            if (!up) { // went down while this one was connecting
                reset(client);
                reset(server);
                return;
            }
            open.add(client);
            open.add(server);
        }
        Thread back = new Thread(() -> pump(server, client), "tcp-proxy-from-server-" + port);
        back.setDaemon(true);
        back.start();
        pump(client, server);
    }

    /**
     * Copies one direction chunk by chunk, each after the current latency; either side ending ends
     * both.
     */
    private void pump(Socket from, Socket to) {
        byte[] chunk = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(chunk)) >= 0) {
                delay();
                out.write(chunk, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException ended) {
            // reset by goDown, or the peer went away: either way this connection is over
        } finally {
            open.remove(from);
            open.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void delay() throws InterruptedException {
        Latency now = latency;
        if (now.maxNanos() > 0) {
            long nanos =
                    now.minNanos() == now.maxNanos()
                            ? now.minNanos()
                            : ThreadLocalRandom.current()
                                    .nextLong(now.minNanos(), now.maxNanos() + 1);
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    }

    /** Closes with SO_LINGER 0, so the peer gets a TCP RST, as when a server dies. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException alreadyClosed) {
            // nothing to reset
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort: the socket may already be gone
        }
    }
}
