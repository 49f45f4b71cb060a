package captiva;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.ratelimit.RateLimitProperties;
import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(startApplication = false)
@DisplayName("configuration defaults")
class ConfigurationDefaultsTest extends ConfigurationCase {

    @Inject
    @Named("default")
    DatasourceConfiguration datasource;

    @Test
    void staleTimeoutDefaultsToTwoInterimsOfFiveMinutesAndAMinute() {
        assertEquals(Duration.ofSeconds(660), sessions.onlineTimeout());
    }

    @Test
    void rateLimitsDefaultToSixtyPerKeyAndThirtyFailuresPerAddress() {
        assertEquals(60, limits.defaultPerMinute());
        assertEquals(30, limits.failedAuthPerMinute());
        assertEquals(RateLimitProperties.Store.LOCAL, limits.store());
    }

    @Test
    void aRequestHeadMustArriveWithinTenSeconds() {
        assertEquals(Duration.ofSeconds(10), http.headerTimeout());
    }

    @Test
    void exportsDefaultToOneAMinutePerKey() {
        assertEquals(1, limits.exportPerMinute());
    }

    @Test
    void sessionControlDefaultsToTenAMinutePerKey() {
        assertEquals(10, limits.controlPerMinute());
    }

    @Test
    void retentionDeletesAThousandRowsPerTransaction() {
        // The interval's default (1h) is overridden for every test in application-test.yml.
        assertEquals(1000, retention.batchSize());
    }

    @Test
    void aCallerWaitsAtMostFiveSecondsForAPooledConnection() {
        // Hikari's own default is 30 s: requests would pile up for that long while the database is
        // down.
        assertEquals(5000, datasource.getConnectionTimeout());
    }
}
