package captiva.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw TCP server on loopback, for a peer that must misbehave in ways a server library would not:
 * stall, trickle, flood, or hang up without saying so. One thread accepts connections one at a time
 * and hands each to the handler; the connection is closed when the handler returns or throws.
 * Closing the server ends the accept loop.
 */
public final class RawLoopbackServer implements AutoCloseable {

    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface ConnectionHandler {
        void serve(Socket connection) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    /** Listens on an ephemeral loopback port and starts accepting. */
    public RawLoopbackServer(String threadName, ConnectionHandler handler) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread thread = new Thread(() -> accept(handler), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void accept(ConnectionHandler handler) {
        while (!server.isClosed()) {
            try (Socket connection = server.accept()) {
                connections.incrementAndGet();
                handler.serve(connection);
            } catch (IOException | InterruptedException e) {
                // the client hung up, or the test closed the server
            }
        }
    }

    /** An http URL of this server with the path given. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
