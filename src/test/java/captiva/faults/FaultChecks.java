package captiva.faults;

import captiva.testing.Http;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the fault tests check on a service whose database misbehaves. */
final class FaultChecks {

    private FaultChecks() {
    }

    /** RADIUS packets dropped unanswered for this reason ({@code not_stored}, {@code queue_full}, …). */
    static double dropped(MeterRegistry meters, String reason) {
        Counter counter = meters.find("captiva.radius.packets").tags("outcome", "dropped", "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** A 503 problem that tells the client to come back: never a 500, never a hang. */
    static void assertServiceUnavailableProblem(Http.Response response) {
        assertEquals(503, response.status(), response.body());
        assertTrue(response.contentType().startsWith("application/problem+json"), response.contentType());
        assertEquals(503, response.json().get("status").asInt(), response.body());
        assertTrue(response.header("Retry-After").isPresent(), "no Retry-After");
    }

    /** Waits for progress, bounded by a minute: the condition says what happened, never how fast. */
    static void awaitUntil(BooleanSupplier condition, String what) {
        await(what).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(10)).until(condition::getAsBoolean);
    }

    /**
     * The count once it stopped moving for half a second: answers already sent when the database
     * went down may still be on their way to, or in, the NAS's socket.
     */
    static int settled(IntSupplier count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        int before;
        int now = count.getAsInt();
        do {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a count that never settles: " + now);
            }
            before = now;
            Thread.sleep(500);
            now = count.getAsInt();
        } while (now != before);
        return now;
    }
}
