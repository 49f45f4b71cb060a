package captiva.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests a client library would refuse or normalise (malformed
 * escapes, conflicting framing headers, a head sent slowly): the bytes go out exactly as given.
 */
public final class RawHttp {

    private final String host;
    private final int port;

    public RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * Sends bytes as they are and reads the answer until the server closes (the request should ask
     * to).
     */
    public Http.Response send(byte[] request) {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return parse(
                    new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Http.Response send(String request) {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * A connection of the test's own, with a read timeout so that a server that never answers fails
     * the test.
     */
    public Socket open() throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads what the server sends until it closes the connection. */
    public static String readToEnd(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Just enough of HTTP/1.1 to read one answer: status, headers, body (chunked or not). */
    public static Http.Response parse(String answer) {
        int split = answer.indexOf("\r\n\r\n");
        if (split <= 0) {
            throw new AssertionError("no HTTP answer: " + answer);
        }
        String[] head = answer.substring(0, split).split("\r\n");
        String[] statusLine = head[0].split(" ");
        int status = Integer.parseInt(statusLine[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            headers.put(
                    head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    List.of(head[i].substring(colon + 1).trim()));
        }
        String body = answer.substring(split + 4);
        if (headers.getOrDefault("transfer-encoding", List.of("")).get(0).contains("chunked")) {
            body = unchunk(body);
        }
        return new Http.Response(status, new Received(statusLine[0], status, headers, body));
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    /**
     * A received answer in the shape {@link Http.Response} wraps; {@link #version()} is what the
     * status line said.
     */
    private record Received(
            String protocol, int statusCode, Map<String, List<String>> headerMap, String body)
            implements java.net.http.HttpResponse<String> {
        @Override
        public java.net.http.HttpRequest request() {
            return null;
        }

        @Override
        public java.util.Optional<java.net.http.HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(headerMap, (a, b) -> true);
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.URI uri() {
            return null;
        }

        @Override
        public java.net.http.HttpClient.Version version() {
            return protocol.equals("HTTP/1.1") ? java.net.http.HttpClient.Version.HTTP_1_1 : null;
        }
    }
}
