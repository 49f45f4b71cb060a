package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** This class's own service instance: the test stops its RADIUS listener, as shutdown does. */
@MicronautTest(transactional = false)
@DisplayName("readiness while draining")
class DrainingReadinessTest extends ApiTest {

    @Inject RadiusListener listener;

    @Test
    void readinessDropsOnceDrainingStartsButLivenessHolds() {
        assertEquals(200, http().get("/health/readiness").status());

        listener.stop();

        assertTrue(listener.draining());
        assertEquals(503, http().get("/health/readiness").status());
        assertEquals(200, http().get("/health/liveness").status());
    }
}
