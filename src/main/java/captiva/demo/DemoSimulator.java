package captiva.demo;

import captiva.sessions.SessionProperties;
import captiva.sessions.SessionRecorder;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the demo venues alive: every {@code captiva.demo.tick} their guests arrive, use data and
 * leave, through {@link SessionRecorder}, the same path as real RADIUS accounting. So the demo
 * exercises the accounting upsert, online counts and live durations exactly as production does.
 */
@Singleton
@Requires(beans = EmbeddedDatabase.class)
class DemoSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(DemoSimulator.class);
    private static final long SEED = 1813;

    private final SessionRecorder recorder;
    private final Clock clock;
    private final Duration interimInterval;
    private LiveVenues venues;

    DemoSimulator(
            SessionRecorder recorder,
            Clock clock,
            SessionProperties sessions,
            @Value("${captiva.demo.tick}") Duration tick) {
        this.recorder = recorder;
        this.clock = clock;
        this.interimInterval = interimInterval(tick, sessions.onlineTimeout());
        if (tick.plus(interimInterval).compareTo(sessions.onlineTimeout()) >= 0) {
            LOG.warn(
                    "captiva.demo.tick {} is too long for the online timeout {}: demo guests will flicker offline",
                    tick,
                    sessions.onlineTimeout());
        }
    }

    /**
     * A tick's worth of Interims, but a third of the online timeout at most: a session is then
     * heard from at least twice per timeout, so no simulated guest ever looks stale.
     */
    static Duration interimInterval(Duration tick, Duration onlineTimeout) {
        Duration perTicks = tick.multipliedBy(LiveVenues.TICKS_PER_INTERIM);
        Duration third = onlineTimeout.dividedBy(3);
        return perTicks.compareTo(third) < 0 ? perTicks : third;
    }

    /**
     * Brings in the starting crowd at once, so the welcome's curl line already finds guests online.
     */
    @EventListener
    synchronized void onLoaded(DemoLoaded loaded) {
        String sessionIdPrefix = String.format("%08X", clock.instant().getEpochSecond());
        venues = new LiveVenues(loaded.demo(), new Random(SEED), interimInterval, sessionIdPrefix);
        tick();
    }

    @Scheduled(fixedDelay = "${captiva.demo.tick}")
    synchronized void tick() {
        if (venues == null) {
            return;
        }
        try {
            venues.tick(clock.instant(), recorder::record);
        } catch (RuntimeException e) {
            // Nothing was applied; the same changes are made again at the next tick.
            LOG.warn("Demo tick failed, retrying at the next one: {}", e.toString());
        }
    }
}
