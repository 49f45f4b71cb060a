package captiva.events.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.TestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(startApplication = false)
@DisplayName("live stream settings")
class EventStreamPropertiesTest implements TestPropertyProvider {

    @Inject EventStreamProperties properties;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    @Test
    void aKeyMayHoldFiveStreamsCountsComeEveryFiveSecondsAndAKeepAliveEveryFifteen() {
        assertEquals(5, properties.maxPerKey());
        assertEquals(Duration.ofSeconds(5), properties.countsInterval());
        assertEquals(Duration.ofSeconds(15), properties.heartbeatInterval());
    }

    @Test
    void aCrashedReplicasStreamsStopCountingWithinHalfAMinute() {
        assertEquals(Duration.ofSeconds(30), properties.lease());
        assertEquals(256, properties.buffer());
    }
}
