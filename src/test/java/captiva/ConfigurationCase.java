package captiva;

import captiva.common.http.HttpProperties;
import captiva.privacy.RetentionProperties;
import captiva.ratelimit.RateLimitProperties;
import captiva.sessions.SessionProperties;
import captiva.testing.TestDatabase;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * The configuration records as bound in a context that is not started: the defaults ({@link
 * ConfigurationDefaultsTest}) and the same records with every setting given ({@link
 * ConfigurationOverridesTest}).
 */
abstract class ConfigurationCase implements TestPropertyProvider {

    @Inject SessionProperties sessions;
    @Inject RateLimitProperties limits;
    @Inject RetentionProperties retention;
    @Inject HttpProperties http;

    @Override
    public Map<String, String> getProperties() {
        return TestDatabase.properties();
    }
}
