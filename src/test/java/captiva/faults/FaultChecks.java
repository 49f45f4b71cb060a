package captiva.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Http;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/** What the fault tests check on a service whose database misbehaves. */
final class FaultChecks {

    private FaultChecks() {}

    /**
     * RADIUS packets dropped unanswered for this reason ({@code not_stored}, {@code queue_full},
     * …).
     */
    static double dropped(MeterRegistry meters, String reason) {
        Counter counter =
                meters.find("captiva.radius.packets")
                        .tags("outcome", "dropped", "reason", reason)
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    /** A 503 problem that tells the client to come back: never a 500, never a hang. */
    static void assertServiceUnavailableProblem(Http.Response response) {
        assertEquals(503, response.status(), response.body());
        assertTrue(
                response.contentType().startsWith("application/problem+json"),
                response.contentType());
        assertEquals(503, response.json().get("status").asInt(), response.body());
        assertTrue(response.header("Retry-After").isPresent(), "no Retry-After");
    }

    /**
     * Waits for progress, bounded by a minute: the condition says what happened, never how fast.
     */
    static void awaitUntil(BooleanSupplier condition, String what) {
        await(what)
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    /**
     * The count once it stopped moving for half a second: answers already sent when the database
     * went down may still be on their way to, or in, the NAS's socket.
     */
    static int settled(IntSupplier count) {
        AtomicInteger last = new AtomicInteger(count.getAsInt());
        await("a count that settles")
                .atMost(Duration.ofMinutes(1))
                .pollDelay(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            int now = count.getAsInt();
                            return last.getAndSet(now) == now;
                        });
        return last.get();
    }
}
