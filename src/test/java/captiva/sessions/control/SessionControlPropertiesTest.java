package captiva.sessions.control;

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
@DisplayName("captiva.session-control")
class SessionControlPropertiesTest implements TestPropertyProvider {

    @Inject SessionControlProperties properties;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    @Test
    void aRequestIsSentThreeTimesTwoSecondsApartAtMost() {
        assertEquals(Duration.ofSeconds(2), properties.timeout());
        assertEquals(3, properties.attempts());
    }
}
