package captiva.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.RawLoopbackServer;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Receivers that would hold a delivery worker: one that takes the request and never answers, one
 * that trickles its answer a byte at a time, one whose status line never ends and one whose body
 * never ends. Each attempt ends by the send timeout (1 s here, 10 s in production) or the 64 KiB
 * read limit, and is logged with what went wrong. The receivers are raw sockets on loopback, so
 * they can misbehave in ways an HTTP server library would not.
 */
@MicronautTest(transactional = false)
@DisplayName("Webhooks: receivers that stall or flood")
class WebhookReceiverLimitsTest extends ApiTest {

    private final List<RawLoopbackServer> receivers = new ArrayList<>();

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.webhooks.allow-private-targets", "true", "captiva.webhooks.timeout", "1s");
    }

    @AfterEach
    void closeReceivers() {
        receivers.forEach(RawLoopbackServer::close);
    }

    /** What a raw receiver does with each connection, after reading the request's first bytes. */
    interface Behaviour {
        void answer(OutputStream out) throws IOException, InterruptedException;
    }

    /** A receiver that answers each connection as told, with a small send buffer. */
    RawLoopbackServer aReceiver(Behaviour behaviour) {
        RawLoopbackServer receiver =
                new RawLoopbackServer(
                        "raw-receiver",
                        connection -> {
                            connection.setSendBufferSize(8 * 1024);
                            connection.getInputStream().read(new byte[8192]);
                            behaviour.answer(connection.getOutputStream());
                        });
        receivers.add(receiver);
        return receiver;
    }

    /** Subscribes the receiver, pings it, and returns the ping's attempt as the API answered it. */
    JsonNode ping(RawLoopbackServer receiver) {
        Tenant tenant = given().tenant();
        JsonNode endpoint =
                WebhookDeliveryTest.subscribe(
                        http(), tenant, receiver.url("/hook"), List.of("session.started"));
        String path = "/admin/tenants/" + tenant.id() + "/webhooks/" + endpoint.get("id").asText();

        Http.Response r = http().post(path + "/ping", "", Fixtures.admin());

        assertEquals(200, r.status(), r::body);
        JsonNode logged =
                http().get(path + "/attempts", Fixtures.admin()).json().get("data").get(0);
        assertEquals(r.json().get("webhook_id").asText(), logged.get("webhook_id").asText());
        assertEquals(
                r.json().get("error"), logged.get("error"), "the attempt is logged as it went");
        return r.json();
    }

    @Test
    void aReceiverThatNeverAnswersIsCutAtTheTimeoutAndTheAttemptLoggedWithTheError() {
        RawLoopbackServer silent = aReceiver(out -> Thread.sleep(60_000));

        JsonNode attempt = ping(silent);

        assertTrue(attempt.get("status_code").isNull(), attempt::toString);
        assertEquals("no answer within 1 s", attempt.get("error").asText());
    }

    @Test
    void aReceiverTricklingAnAnswerIsCutAtTheTimeoutThoughEachByteComesInTime() {
        // One byte every 200 ms: a read timeout per byte alone would wait the whole 3.4 s for a
        // 200.
        RawLoopbackServer trickling =
                aReceiver(
                        out -> {
                            for (byte b :
                                    "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) {
                                out.write(b);
                                out.flush();
                                Thread.sleep(200);
                            }
                        });

        JsonNode attempt = ping(trickling);

        assertTrue(attempt.get("status_code").isNull(), attempt::toString);
        assertEquals("no answer within 1 s", attempt.get("error").asText());
    }

    @Test
    void aStatusLineLongerThan64KibIsGivenUpAfter64KibNotAtTheTimeout() {
        RawLoopbackServer endlessLine =
                aReceiver(
                        out -> {
                            byte[] chunk = new byte[4096];
                            Arrays.fill(chunk, (byte) 'x');
                            out.write("HTTP/1.1 200 ".getBytes(StandardCharsets.US_ASCII));
                            while (true) {
                                out.write(chunk);
                            }
                        });

        JsonNode attempt = ping(endlessLine);

        assertTrue(attempt.get("status_code").isNull(), attempt::toString);
        assertEquals(
                "IOException: no status line in the first 64 KiB of the answer",
                attempt.get("error").asText());
    }

    @Test
    void aBodyLargerThan64KibIsNotReadTheStatusDecides() {
        AtomicLong written = new AtomicLong();
        RawLoopbackServer endlessBody =
                aReceiver(
                        out -> {
                            out.write(
                                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                                            .getBytes(StandardCharsets.US_ASCII));
                            byte[] chunk = new byte[4096];
                            while (true) {
                                out.write(chunk);
                                written.addAndGet(chunk.length);
                            }
                        });

        JsonNode attempt = ping(endlessBody);

        assertEquals(200, attempt.get("status_code").asInt(), attempt::toString);
        assertNull(attempt.get("error").textValue());
        // The sender hung up after the status line: the receiver could not push its body through.
        assertTrue(
                written.get() < 16L * 1024 * 1024, "bytes the receiver got out: " + written.get());
    }
}
