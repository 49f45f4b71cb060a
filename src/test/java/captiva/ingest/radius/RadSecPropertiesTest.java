package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import captiva.testing.TestDatabase;
import io.micronaut.context.ApplicationContext;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(startApplication = false)
@DisplayName("captiva.radius.radsec")
class RadSecPropertiesTest implements TestPropertyProvider {

    @Inject RadSecProperties properties;

    @Inject ApplicationContext context;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    @Test
    void radSecListensOnPort2083OnlyOnceACertificateIsConfigured() {
        assertEquals(2083, properties.port());
        assertFalse(context.containsBean(RadSecReceiver.class));
    }

    @Test
    void aPacketMustArriveWithinTenSecondsAndSilenceLastAtMostTenMinutes() {
        assertEquals(Duration.ofSeconds(10), properties.readTimeout());
        assertEquals(Duration.ofMinutes(10), properties.idleTimeout());
        assertEquals(200, properties.maxConnections());
    }
}
