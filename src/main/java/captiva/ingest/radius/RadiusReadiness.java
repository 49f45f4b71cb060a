package captiva.ingest.radius;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.Map;
import org.reactivestreams.Publisher;

/**
 * Readiness (and {@code /health}) goes DOWN as soon as the RADIUS listener starts draining at
 * shutdown, so that a load balancer still probing stops sending this replica traffic. Not part of
 * liveness: a draining process must be left to finish, not restarted.
 */
@Singleton
@Readiness
@Requires(beans = RadiusListener.class)
class RadiusReadiness implements HealthIndicator {

    private final RadiusListener listener;

    RadiusReadiness(RadiusListener listener) {
        this.listener = listener;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        boolean draining = listener.draining();
        return Publishers.just(
                HealthResult.builder("radius", draining ? HealthStatus.DOWN : HealthStatus.UP)
                        .details(Map.of("draining", draining, "queued", listener.queued()))
                        .build());
    }
}
