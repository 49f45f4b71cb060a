package captiva.testing;

import io.micronaut.context.annotation.Replaces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The service's clock in tests: real time until a test moves it, so refills and timeouts need no
 * sleeping.
 */
@Singleton
@Replaces(Clock.class)
public class MutableClock extends Clock {

    private volatile Duration offset = Duration.ZERO;
    private volatile Instant frozenAt;

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    /**
     * Stops time at {@code instant} until {@link #reset()}: token refills cannot race a test's
     * requests.
     */
    public void freezeAt(Instant instant) {
        frozenAt = instant;
    }

    /** Back to real time; tests that move the clock call this when done. */
    public void reset() {
        offset = Duration.ZERO;
        frozenAt = null;
    }

    @Override
    public Instant instant() {
        Instant frozen = frozenAt;
        return (frozen != null ? frozen : Instant.now()).plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
