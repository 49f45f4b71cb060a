package captiva.common;

import captiva.common.problem.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps the statistics and exports running at once in this instance. Each holds a pooled connection
 * for as long as it reads (seconds for a chain's year, minutes for a slow export client), and the
 * pool is shared with the RADIUS writers: without a cap, a few such requests could leave accounting
 * waiting for a connection, which NASes see as lost packets. Over the cap the answer is a 503
 * problem with Retry-After, before any work is done.
 */
@Singleton
public class WideReads {

    private final int capacity;
    private final Semaphore permits;
    private final Counter refused;

    WideReads(@Value("${captiva.wide-reads.max-concurrent}") int capacity, MeterRegistry meters) {
        this.capacity = capacity;
        this.permits = new Semaphore(capacity);
        this.refused = Counter.builder("captiva.wide_reads.refused")
                .description("Statistics and export requests answered 503 because the cap was reached").register(meters);
    }

    /** A permit for one wide read, to be closed when it ends (closing twice is harmless). */
    public Permit start() {
        if (!permits.tryAcquire()) {
            refused.increment();
            throw new ApiProblem.Busy("Statistics and exports are limited to " + capacity
                    + " at a time per instance, and that many are running; try again shortly.");
        }
        return new Permit();
    }

    /** Permits not taken now. */
    public int available() {
        return permits.availablePermits();
    }

    public final class Permit implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit() {
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                permits.release();
            }
        }
    }
}
