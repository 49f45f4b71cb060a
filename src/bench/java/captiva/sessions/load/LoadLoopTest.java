package captiva.sessions.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Fast;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Fast
@DisplayName("the read kit's closed loop")
class LoadLoopTest {

    @Test
    void aRequestThatRunsOutOfMemoryIsCountedAndTheLoopGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        LoadLoop.Stats stats =
                LoadLoop.run(
                        2,
                        Duration.ZERO,
                        Duration.ofMillis(200),
                        index ->
                                () -> {
                                    if (index == 0 && calls.getAndIncrement() == 0) {
                                        throw new OutOfMemoryError("Java heap space");
                                    }
                                    Thread.sleep(5);
                                    return null;
                                });

        assertEquals(1, stats.failures());
        assertEquals("java.lang.OutOfMemoryError: Java heap space", stats.firstFailure());
        assertTrue(stats.requests() > 0, "requests timed: " + stats.requests());
    }
}
