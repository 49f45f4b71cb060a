package captiva.events.webhooks;

import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends one webhook over HTTP/1.1, written by hand so that every rule holds by construction: it
 * connects to the address {@link OutboundTargets} checked (TLS still verifies the certificate for
 * the URL's host name), the whole attempt has one deadline, a redirect is an answer like any other
 * (never followed), and at most 64 KiB of the answer are read. The status decides; the headers and
 * body are read only to reuse the connection.
 *
 * <p>A connection is kept for the next delivery to the same receiver (same scheme, host, port and
 * checked address) when the answer's length is known and fits in the 64 KiB: a new TCP connection,
 * let alone a TLS handshake, for every event would cost more than the event, here and at the
 * receiver. A kept connection that the receiver closed meanwhile fails before any answer comes; the
 * request is then sent once more on a new connection, as HTTP clients do.
 */
@Singleton
class WebhookSender {

    static final int MAX_ANSWER_BYTES = 64 * 1024;

    /**
     * How long an idle connection is kept. Receivers close theirs after 5 s to a few minutes; one
     * closed sooner is replaced when next used.
     */
    static final Duration KEEP_IDLE = Duration.ofSeconds(30);

    private final OutboundTargets targets;
    private final WebhookProperties properties;
    private final Map<Target, Deque<Kept>> idle = new ConcurrentHashMap<>();

    WebhookSender(OutboundTargets targets, WebhookProperties properties) {
        this.targets = targets;
        this.properties = properties;
    }

    /** How one attempt went: the status when an answer came, else the error. */
    record Answer(@Nullable Integer status, long latencyMillis, @Nullable String error) {
        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }

        /** What went wrong, for the attempt log and the endpoint's disabled reason. */
        String problem() {
            return error != null ? error : "HTTP " + status;
        }
    }

    /** Where a connection goes: one is reused only for requests to the same target. */
    private record Target(boolean https, String host, int port, InetAddress address) {}

    /** An open connection waiting for the next request to its target. */
    private record Kept(Socket socket, long idleSinceNanos) {}

    Answer post(String url, Map<String, String> headers, byte[] body) {
        long started = System.nanoTime();
        long deadline = started + properties.timeout().toNanos();
        try {
            URI uri = new URI(url);
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
            Target target = new Target(https, uri.getHost(), port, targets.resolve(uri.getHost()));
            byte[] request = request(uri, port, https, headers, body);
            Kept kept = takeIdle(target);
            Answer answer =
                    kept == null
                            ? null
                            : exchange(target, kept.socket(), true, request, started, deadline);
            return answer != null
                    ? answer
                    : exchange(target, open(target, deadline), false, request, started, deadline);
        } catch (OutboundTargets.Refused refused) {
            return new Answer(
                    null, millisSince(started), "refused target: " + refused.getMessage());
        } catch (SocketTimeoutException | TimedOut timeout) {
            return new Answer(null, millisSince(started), "no answer within " + timeout());
        } catch (IOException | RuntimeException | URISyntaxException e) {
            return new Answer(
                    null,
                    millisSince(started),
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Sends the request and reads the answer, then keeps the connection if it can carry another
     * request, else closes it. Null when a reused connection failed before any byte of an answer:
     * the receiver had closed it, and the request may go again on a new one.
     */
    private @Nullable Answer exchange(
            Target target,
            Socket socket,
            boolean reused,
            byte[] request,
            long started,
            long deadline)
            throws IOException, TimedOut {
        boolean keep = false;
        AnswerReader answer = new AnswerReader(socket, deadline);
        try {
            int status;
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                status = answer.status();
            } catch (IOException e) {
                if (reused && answer.read == 0 && !(e instanceof SocketTimeoutException)) {
                    return null;
                }
                throw e;
            }
            Answer result = new Answer(status, millisSince(started), null);
            keep = answer.rest(status);
            return result;
        } finally {
            if (keep) {
                keepIdle(target, new Kept(socket, System.nanoTime()));
            } else {
                socket.close();
            }
        }
    }

    private Socket open(Target target, long deadline) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(
                    new InetSocketAddress(target.address(), target.port()),
                    remainingMillis(deadline));
            return target.https() ? tls(plain, target.host(), target.port(), deadline) : plain;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private Kept takeIdle(Target target) {
        Deque<Kept> kept = idle.get(target);
        if (kept == null) {
            return null;
        }
        long now = System.nanoTime();
        for (Kept k = kept.pollLast(); k != null; k = kept.pollLast()) {
            if (now - k.idleSinceNanos() < KEEP_IDLE.toNanos() && !k.socket().isClosed()) {
                return k;
            }
            closeQuietly(k.socket());
        }
        return null;
    }

    /** Keeps at most one idle connection per worker and target. */
    private void keepIdle(Target target, Kept kept) {
        Deque<Kept> deque = idle.computeIfAbsent(target, t -> new ConcurrentLinkedDeque<>());
        if (deque.size() >= properties.workers()) {
            closeQuietly(kept.socket());
            return;
        }
        deque.addLast(kept);
        Kept oldest = deque.peekFirst();
        if (oldest != null
                && System.nanoTime() - oldest.idleSinceNanos() >= KEEP_IDLE.toNanos()
                && deque.remove(oldest)) {
            closeQuietly(oldest.socket());
        }
    }

    @PreDestroy
    void closeIdle() {
        idle.values().forEach(deque -> deque.forEach(k -> closeQuietly(k.socket())));
        idle.clear();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // an idle connection: nothing was in flight on it
        }
    }

    /**
     * The timeout as the attempt log says it: {@code 10 s}, or {@code 500 ms} when not whole
     * seconds.
     */
    private String timeout() {
        long millis = properties.timeout().toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static Socket tls(Socket plain, String host, int port, long deadline)
            throws IOException {
        plain.setSoTimeout(remainingMillis(deadline));
        SSLSocket ssl =
                (SSLSocket)
                        ((SSLSocketFactory) SSLSocketFactory.getDefault())
                                .createSocket(plain, host, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.startsWith("[") && !Character.isDigit(host.charAt(host.length() - 1))) {
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        return ssl;
    }

    private static byte[] request(
            URI uri, int port, boolean https, Map<String, String> headers, byte[] body) {
        String target =
                uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        boolean defaultPort = port == (https ? 443 : 80);
        StringBuilder head =
                new StringBuilder("POST ")
                        .append(target)
                        .append(" HTTP/1.1\r\n")
                        .append("Host: ")
                        .append(uri.getHost())
                        .append(defaultPort ? "" : ":" + port)
                        .append("\r\n")
                        .append("User-Agent: Captiva-Webhooks\r\n")
                        .append("Content-Type: application/json\r\n")
                        .append("Content-Length: ")
                        .append(body.length)
                        .append("\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        ByteArrayOutputStream request = new ByteArrayOutputStream(head.length() + body.length);
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body);
        return request.toByteArray();
    }

    /**
     * Reads one answer within the attempt's deadline and the 64 KiB limit, a buffer at a time (a
     * read per byte would be a system call per byte).
     */
    private static final class AnswerReader {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] buffer = new byte[8192];
        private int position;
        private int limit;
        private boolean keepAlive;
        int read;

        AnswerReader(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        /** The next byte of the answer; -1 at its end or past 64 KiB. */
        private int next() throws IOException, TimedOut {
            if (read >= MAX_ANSWER_BYTES) {
                return -1;
            }
            if (position == limit) {
                if (System.nanoTime() > deadline) {
                    throw new TimedOut();
                }
                socket.setSoTimeout(remainingMillis(deadline));
                int n = in.read(buffer, 0, Math.min(buffer.length, MAX_ANSWER_BYTES - read));
                if (n < 0) {
                    return -1;
                }
                position = 0;
                limit = n;
            }
            read++;
            return buffer[position++] & 0xff;
        }

        /** One line without its end, or null when the answer ended or 64 KiB were read first. */
        private @Nullable String line() throws IOException, TimedOut {
            StringBuilder line = new StringBuilder();
            for (int b = next(); b != '\n'; b = next()) {
                if (b < 0) {
                    return null;
                }
                if (line.length() < 256) {
                    line.append((char) b);
                }
            }
            return line.toString().trim();
        }

        /** The status code of the answer's status line ({@code HTTP/1.1 200 OK}). */
        int status() throws IOException, TimedOut {
            String status = line();
            if (status == null) {
                throw new IOException(
                        read >= MAX_ANSWER_BYTES
                                ? "no status line in the first 64 KiB of the answer"
                                : "the connection closed before an answer");
            }
            String[] parts = status.split(" ", 3);
            if (parts.length < 2
                    || !parts[0].toUpperCase(Locale.ROOT).startsWith("HTTP/")
                    || !parts[1].matches("\\d{3}")) {
                throw new IOException(
                        "not an HTTP answer: "
                                + (status.length() > 60 ? status.substring(0, 60) : status));
            }
            keepAlive = parts[0].equalsIgnoreCase("HTTP/1.1");
            return Integer.parseInt(parts[1]);
        }

        /**
         * Reads the headers and the body, when both fit in what is left of 64 KiB and the time;
         * whether the connection can carry the next request. It cannot when the body's length is
         * not given (it ends when the connection does) or the receiver said it would close.
         */
        boolean rest(int status) {
            try {
                long length = status == 204 || status == 304 ? 0 : -1;
                for (String header = line(); ; header = line()) {
                    if (header == null) {
                        return false;
                    }
                    if (header.isEmpty()) {
                        break;
                    }
                    int colon = header.indexOf(':');
                    if (colon < 0) {
                        return false;
                    }
                    String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                    switch (name) {
                        case "content-length" -> length = Long.parseLong(value);
                        case "connection" -> keepAlive &= !value.contains("close");
                        case "transfer-encoding" -> length = -1;
                        default -> {}
                    }
                }
                if (!keepAlive || length < 0 || status < 200) {
                    return false;
                }
                for (long i = 0; i < length; i++) {
                    if (next() < 0) {
                        return false;
                    }
                }
                return position == limit;
            } catch (IOException | TimedOut | NumberFormatException e) {
                return false;
            }
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException();
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static final class TimedOut extends Exception {
        TimedOut() {
            super(null, null, false, false);
        }
    }
}
