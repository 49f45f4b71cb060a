package captiva.common;

import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Whether RADIUS accounting is arriving faster than this instance stores it one packet at a time:
 * its writers then find packets piled up while they stored the last batch, and take them in large
 * batches. Background work that can wait without loss (webhook deliveries) gives way meanwhile, so
 * that a burst is acknowledged as fast as without it; the work catches up when the burst ends. A
 * steady flow, however busy the day, comes in small batches and sees no pressure.
 */
@Singleton
public class IngestPressure {

    /** A batch at least this large means packets waited behind the last one. */
    static final int BURST_BATCH = 16;

    /** How long after the last large batch the burst is taken to go on. */
    static final Duration LINGER = Duration.ofMillis(250);

    private final Ticker ticker;
    private volatile long lastBurstNanos;
    private volatile boolean burstSeen;

    public IngestPressure(Ticker ticker) {
        this.ticker = ticker;
    }

    /** A writer took a batch of this many packets to store. */
    public void batchTaken(int packets) {
        if (packets >= BURST_BATCH) {
            lastBurstNanos = ticker.nanos();
            burstSeen = true;
        }
    }

    public boolean underPressure() {
        return burstSeen && ticker.nanos() - lastBurstNanos < LINGER.toNanos();
    }

    /**
     * Waits while a burst is under way, but at most {@code atMost}, so that work that gives way
     * still goes on, slowly, under a burst that does not end.
     */
    public void giveWay(Duration atMost) throws InterruptedException {
        long since = ticker.nanos();
        while (underPressure() && ticker.nanos() - since < atMost.toNanos()) {
            Thread.sleep(STEP.toMillis());
        }
    }

    private static final Duration STEP = Duration.ofMillis(20);
}
