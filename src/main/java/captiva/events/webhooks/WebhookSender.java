package captiva.events.webhooks;

import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends one webhook over HTTP/1.1, written by hand so that every rule holds by construction: it
 * connects to the address {@link OutboundTargets} checked (TLS still verifies the certificate for
 * the URL's host name), the whole attempt has one deadline, a redirect is an answer like any other
 * (never followed), and at most 64 KiB of the answer are read (its status line and headers; the
 * body is not needed).
 */
@Singleton
class WebhookSender {

    static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final OutboundTargets targets;
    private final WebhookProperties properties;

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

    Answer post(String url, Map<String, String> headers, byte[] body) {
        long started = System.nanoTime();
        long deadline = started + properties.timeout().toNanos();
        try {
            URI uri = new URI(url);
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
            InetAddress address = targets.resolve(uri.getHost());
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(address, port), remainingMillis(deadline));
                Socket socket = https ? tls(plain, uri.getHost(), port, deadline) : plain;
                socket.setSoTimeout(remainingMillis(deadline));
                write(socket.getOutputStream(), uri, port, https, headers, body);
                int status = readStatus(socket.getInputStream(), deadline, socket);
                return new Answer(status, millisSince(started), null);
            }
        } catch (OutboundTargets.Refused refused) {
            return new Answer(
                    null, millisSince(started), "refused target: " + refused.getMessage());
        } catch (SocketTimeoutException | TimedOut timeout) {
            return new Answer(null, millisSince(started), "no answer within " + timeout());
        } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
            return new Answer(
                    null,
                    millisSince(started),
                    e.getClass().getSimpleName() + ": " + e.getMessage());
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

    private static void write(
            OutputStream out,
            URI uri,
            int port,
            boolean https,
            Map<String, String> headers,
            byte[] body)
            throws IOException {
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
                        .append("\r\n")
                        .append("Connection: close\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /**
     * The status code of the answer's status line ({@code HTTP/1.1 200 OK}), reading at most 64
     * KiB.
     */
    private static int readStatus(InputStream in, long deadline, Socket socket)
            throws IOException, TimedOut {
        byte[] line = new byte[256];
        int length = 0;
        int read = 0;
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new TimedOut();
            }
            socket.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before an answer");
            }
            if (++read > MAX_ANSWER_BYTES) {
                throw new IOException("no status line in the first 64 KiB of the answer");
            }
            if (b == '\n') {
                break;
            }
            if (length < line.length) {
                line[length++] = (byte) b;
            }
        }
        String status = new String(line, 0, length, StandardCharsets.ISO_8859_1).trim();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2
                || !parts[0].toUpperCase(Locale.ROOT).startsWith("HTTP/")
                || !parts[1].matches("\\d{3}")) {
            throw new IOException(
                    "not an HTTP answer: "
                            + (status.length() > 60 ? status.substring(0, 60) : status));
        }
        return Integer.parseInt(parts[1]);
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
