package captiva.common;

/**
 * Elapsed time in nanoseconds, for durations and deadlines (never for dates: that is the {@link
 * java.time.Clock}). Injected, so that a test can move it instead of waiting.
 */
@FunctionalInterface
public interface Ticker {

    /** The JVM's monotonic time, {@link System#nanoTime()}. */
    Ticker SYSTEM = System::nanoTime;

    long nanos();
}
