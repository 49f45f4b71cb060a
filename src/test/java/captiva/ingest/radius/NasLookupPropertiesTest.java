package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.TestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(startApplication = false)
@DisplayName("captiva.radius.nas-lookups")
class NasLookupPropertiesTest implements TestPropertyProvider {

    @Inject NasLookupProperties limits;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }

    @Test
    void tenLookupsPerSourceAndTwoHundredInAllPerSecondByDefault() {
        assertEquals(10, limits.perSource());
        assertEquals(200, limits.total());
    }
}
