package captiva.testing;

import captiva.common.Ticker;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Elapsed time that stands still until a test moves it, for tests of what expires (set {@code
 * captiva.testing.mutable-ticker=true}); other tests keep the JVM's ticker, which the batching and
 * timeouts they exercise need.
 */
@Singleton
@Replaces(Ticker.class)
@Requires(property = "captiva.testing.mutable-ticker", value = "true")
public class MutableTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(System.nanoTime());

    public void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Override
    public long nanos() {
        return nanos.get();
    }
}
