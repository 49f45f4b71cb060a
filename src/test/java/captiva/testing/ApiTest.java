package captiva.testing;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of tests that talk to the running service over HTTP, on the shared test PostgreSQL.
 * Subclasses add {@code @MicronautTest(transactional = false)}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ApiTest implements TestPropertyProvider {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

    @Inject protected EmbeddedServer server;

    @Inject protected MutableClock clock;

    private Fixtures fixtures;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(TestDatabase.properties());
        properties.put("captiva.admin.token", ADMIN_TOKEN);
        properties.put("micronaut.server.port", "-1");
        properties.putAll(extraProperties());
        return properties;
    }

    /** Settings a test class needs on top of the shared database and admin token. */
    protected Map<String, String> extraProperties() {
        return Map.of();
    }

    protected Http http() {
        return new Http(server.getURL().toString());
    }

    protected Fixtures given() {
        if (fixtures == null) {
            fixtures = new Fixtures(http());
        }
        return fixtures;
    }
}
