package captiva.events;

import jakarta.inject.Singleton;

/**
 * Wakes this replica's readers of the log (webhook dispatch, live streams) when its sequencer has
 * numbered new events, so they need not poll the database often. Readers still poll at their own
 * interval, which covers events numbered by another replica.
 */
@Singleton
public class EventSignal {

    private final Object monitor = new Object();
    private long generation;

    /** New events have positions. */
    public void logged() {
        synchronized (monitor) {
            generation++;
            monitor.notifyAll();
        }
    }

    /** The current generation, to wait on with {@link #awaitAfter}. */
    public long generation() {
        synchronized (monitor) {
            return generation;
        }
    }

    /**
     * Waits until events were numbered after {@code seen} or the time is up; returns the generation
     * then.
     */
    public long awaitAfter(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (monitor) {
            while (generation == seen) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                monitor.wait(left);
            }
            return generation;
        }
    }
}
