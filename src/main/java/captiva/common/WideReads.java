package captiva.common;

import captiva.common.problem.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps the statistics and exports running at once in this instance, in all and per tenant. Each
 * holds a pooled connection for as long as it reads (seconds for a chain's year, up to the stall
 * timeout for an export whose client stopped reading), and the pool is shared with the RADIUS
 * writers: without a cap, a few such requests could leave accounting waiting for a connection,
 * which NASes see as lost packets. The per-tenant cap, below the instance's, keeps one tenant from
 * holding every slot and turning every other tenant away. Over either cap the answer is a 503
 * problem with Retry-After, before any work is done.
 */
@Singleton
public class WideReads {

    private final int capacity;
    private final int perTenant;
    private final Duration exportStallTimeout;
    private final Counter refusedInstanceFull;
    private final Counter refusedTenantFull;

    /** Wide reads running, per tenant; guarded by this. */
    private final Map<Long, Integer> running = new HashMap<>();

    private int runningInAll;

    WideReads(
            @Value("${captiva.wide-reads.max-concurrent}") int capacity,
            @Value("${captiva.wide-reads.max-per-tenant}") int perTenant,
            @Value("${captiva.wide-reads.export-stall-timeout}") Duration exportStallTimeout,
            MeterRegistry meters) {
        if (capacity < 1 || perTenant < 1) {
            throw new IllegalArgumentException(
                    "captiva.wide-reads.max-concurrent and max-per-tenant must be at least 1");
        }
        this.capacity = capacity;
        this.perTenant = Math.min(perTenant, capacity);
        this.exportStallTimeout = exportStallTimeout;
        String description =
                "Statistics and export requests answered 503 because a cap was reached";
        this.refusedInstanceFull =
                Counter.builder("captiva.wide_reads.refused")
                        .tag("cap", "instance")
                        .description(description)
                        .register(meters);
        this.refusedTenantFull =
                Counter.builder("captiva.wide_reads.refused")
                        .tag("cap", "tenant")
                        .description(description)
                        .register(meters);
    }

    /**
     * A permit for one wide read of this tenant, to be closed when it ends (closing twice is
     * harmless).
     */
    public Permit start(long tenantId) {
        synchronized (this) {
            int mine = running.getOrDefault(tenantId, 0);
            if (mine >= perTenant) {
                refusedTenantFull.increment();
                throw new ApiProblem.Busy(
                        "Statistics and exports are limited to "
                                + perTenant
                                + " at a time per tenant and instance (so that no tenant can take all "
                                + capacity
                                + "), and this tenant has that many running; try again when one has finished.");
            }
            if (runningInAll >= capacity) {
                refusedInstanceFull.increment();
                throw new ApiProblem.Busy(
                        "Statistics and exports are limited to "
                                + capacity
                                + " at a time per instance, and that many are running; try again shortly.");
            }
            running.put(tenantId, mine + 1);
            runningInAll++;
        }
        return new Permit(tenantId);
    }

    /** Slots not taken now, in all. */
    public synchronized int available() {
        return capacity - runningInAll;
    }

    /**
     * How long an export may wait for its client to take the next chunk before it is cut and its
     * slot and connection given back: a client that stops reading must not hold them for good.
     */
    public Duration exportStallTimeout() {
        return exportStallTimeout;
    }

    private synchronized void release(long tenantId) {
        running.computeIfPresent(tenantId, (tenant, count) -> count == 1 ? null : count - 1);
        runningInAll--;
    }

    public final class Permit implements AutoCloseable {
        private final long tenantId;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit(long tenantId) {
            this.tenantId = tenantId;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(tenantId);
            }
        }
    }
}
