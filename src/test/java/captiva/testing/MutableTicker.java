package captiva.testing;

import captiva.common.Ticker;
import io.micronaut.context.annotation.Replaces;
import jakarta.inject.Singleton;

import java.time.Duration;

/** The service's elapsed time in tests: real until a test moves it on, so expiries need no waiting. */
@Singleton
@Replaces(Ticker.class)
public class MutableTicker implements Ticker {

    private volatile long offset;

    public void advance(Duration by) {
        offset += by.toNanos();
    }

    @Override
    public long nanos() {
        return System.nanoTime() + offset;
    }
}
