package captiva;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(startApplication = false)
@Property(name = "captiva.sessions.interim-interval", value = "60s")
@Property(name = "captiva.sessions.stale-timeout", value = "30m")
@Property(name = "captiva.rate-limit.default-per-minute", value = "600")
@Property(name = "captiva.rate-limit.export-per-minute", value = "5")
@Property(name = "captiva.retention.interval", value = "15m")
@Property(name = "captiva.retention.batch-size", value = "50")
@DisplayName("configuration overrides")
class ConfigurationOverridesTest extends ConfigurationCase {

    @Test
    void anExplicitStaleTimeoutWinsOverTheDerivedOne() {
        assertEquals(Duration.ofSeconds(60), sessions.interimInterval());
        assertEquals(Duration.ofMinutes(30), sessions.onlineTimeout());
    }

    @Test
    void defaultRateLimitIsConfigurable() {
        assertEquals(600, limits.defaultPerMinute());
    }

    @Test
    void exportRateLimitIsConfigurable() {
        assertEquals(5, limits.exportPerMinute());
    }

    @Test
    void retentionIntervalAndBatchSizeAreConfigurable() {
        assertEquals(Duration.ofMinutes(15), retention.interval());
        assertEquals(50, retention.batchSize());
    }
}
