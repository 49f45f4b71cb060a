package captiva.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.RawLoopbackServer;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The sender keeps a connection for the next delivery to the same receiver, and a kept connection
 * the receiver closed meanwhile costs nothing but a new one. The receivers are raw HTTP/1.1 servers
 * on loopback that count the connections they accepted.
 */
@MicronautTest(transactional = false)
@DisplayName("Webhooks: connections kept between deliveries")
class WebhookConnectionsTest extends ApiTest {

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.webhooks.allow-private-targets", "true");
    }

    /**
     * Answers each request with {@code answer}; serves several requests a connection, unless told
     * to hang up after each answer without saying so (as a receiver whose idle timeout is shorter
     * than the sender's).
     */
    static final class KeepAliveReceiver implements AutoCloseable {
        private final RawLoopbackServer server;
        final AtomicInteger requests = new AtomicInteger();

        KeepAliveReceiver(String answer, boolean hangUpAfterEachAnswer) {
            server =
                    new RawLoopbackServer(
                            "keep-alive-receiver",
                            connection -> {
                                InputStream in = connection.getInputStream();
                                OutputStream out = connection.getOutputStream();
                                while (readRequest(in)) {
                                    requests.incrementAndGet();
                                    out.write(answer.getBytes(StandardCharsets.US_ASCII));
                                    out.flush();
                                    if (hangUpAfterEachAnswer) {
                                        break;
                                    }
                                }
                            });
        }

        /** Connections the receiver accepted. */
        int connections() {
            return server.connections();
        }

        /** Reads one request's head and body; false when the connection ended first. */
        private static boolean readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                head.write(b);
            }
            int length = 0;
            for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return in.readNBytes(length).length == length;
        }

        String url() {
            return server.url("/hook");
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** Pings the receiver {@code times} times through the API; returns the last ping's answer. */
    JsonNode ping(KeepAliveReceiver receiver, int times) {
        Tenant tenant = given().tenant();
        JsonNode endpoint =
                WebhookDeliveryTest.subscribe(
                        http(), tenant, receiver.url(), List.of("session.started"));
        String path = "/admin/tenants/" + tenant.id() + "/webhooks/" + endpoint.get("id").asText();
        JsonNode last = null;
        for (int i = 0; i < times; i++) {
            Http.Response r = http().post(path + "/ping", "", Fixtures.admin());
            assertEquals(200, r.status(), r::body);
            last = r.json();
        }
        return last;
    }

    @Test
    void deliveriesToOneReceiverShareOneConnection() {
        try (KeepAliveReceiver receiver =
                new KeepAliveReceiver("HTTP/1.1 204 No Content\r\n\r\n", false)) {

            JsonNode last = ping(receiver, 5);

            assertEquals(204, last.get("status_code").asInt(), last::toString);
            assertEquals(5, receiver.requests.get());
            assertEquals(1, receiver.connections(), "connections the receiver accepted");
        }
    }

    @Test
    void anAnswerWithABodyOfKnownLengthKeepsTheConnectionToo() {
        try (KeepAliveReceiver receiver =
                new KeepAliveReceiver(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
                        false)) {

            JsonNode last = ping(receiver, 3);

            assertEquals(200, last.get("status_code").asInt(), last::toString);
            assertEquals(1, receiver.connections(), "connections the receiver accepted");
        }
    }

    @Test
    void aConnectionTheReceiverClosedIsReplacedAndTheDeliverySucceeds() {
        try (KeepAliveReceiver receiver =
                new KeepAliveReceiver("HTTP/1.1 204 No Content\r\n\r\n", true)) {

            JsonNode last = ping(receiver, 3);

            assertEquals(204, last.get("status_code").asInt(), last::toString);
            assertNull(last.get("error").textValue());
            assertEquals(3, receiver.requests.get());
            assertEquals(3, receiver.connections(), "connections the receiver accepted");
        }
    }

    @Test
    void aReceiverThatSaysItClosesGetsANewConnectionEachTime() {
        try (KeepAliveReceiver receiver =
                new KeepAliveReceiver(
                        "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", false)) {

            ping(receiver, 3);

            assertEquals(3, receiver.requests.get());
            assertEquals(3, receiver.connections(), "connections the receiver accepted");
        }
    }
}
