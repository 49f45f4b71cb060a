package captiva.common;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The one source of "now" and of elapsed time, so that tests can move time instead of sleeping. */
@Factory
class ClockFactory {

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    Ticker ticker() {
        return Ticker.SYSTEM;
    }
}
