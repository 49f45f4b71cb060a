package captiva.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Ingest pressure: background work gives way to a burst, for a bounded time")
class IngestPressureTest {

    @Test
    void aSteadyFlowOfSmallBatchesIsNoPressure() {
        AtomicLong now = new AtomicLong();
        IngestPressure pressure = new IngestPressure(now::get);

        for (int i = 0; i < 1000; i++) {
            pressure.batchTaken(IngestPressure.BURST_BATCH - 1);
            now.addAndGet(Duration.ofMillis(5).toNanos());
        }

        assertFalse(pressure.underPressure());
    }

    @Test
    void aLargeBatchIsPressureThatLingersThenPasses() {
        AtomicLong now = new AtomicLong();
        IngestPressure pressure = new IngestPressure(now::get);

        pressure.batchTaken(IngestPressure.BURST_BATCH);

        assertTrue(pressure.underPressure());
        now.addAndGet(IngestPressure.LINGER.toNanos() - 1);
        assertTrue(pressure.underPressure());
        now.addAndGet(1);
        assertFalse(pressure.underPressure());
    }

    @Test
    void givingWayReturnsAtOnceWithoutPressure() {
        IngestPressure pressure = new IngestPressure(Ticker.SYSTEM);

        assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> pressure.giveWay(Duration.ofDays(1)));
    }

    @Test
    void givingWayUnderABurstThatDoesNotEndStopsAtTheBound() {
        // Each reading of the clock is 100 ms later, and each check finds a new large batch: the
        // burst never ends, and only the bound lets the caller go on.
        AtomicLong now = new AtomicLong();
        IngestPressure endless =
                new IngestPressure(() -> now.addAndGet(Duration.ofMillis(100).toNanos())) {
                    @Override
                    public boolean underPressure() {
                        batchTaken(BURST_BATCH);
                        return super.underPressure();
                    }
                };

        assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> endless.giveWay(Duration.ofSeconds(1)));

        long waited = now.get();
        assertTrue(waited >= Duration.ofSeconds(1).toNanos(), "waited " + waited + " ns");
        assertTrue(waited < Duration.ofSeconds(2).toNanos(), "waited " + waited + " ns");
    }
}
