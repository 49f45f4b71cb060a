package captiva.testing;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.HashMap;
import java.util.Map;

/**
 * Whole service instances (HTTP on a free port, RADIUS on a free loopback port), as replicas are.
 */
public final class Instances {

    private Instances() {}

    /**
     * An instance with these properties (at least a datasource) over the test defaults and the test
     * admin token.
     */
    public static EmbeddedServer start(Map<String, ?> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.putIfAbsent("captiva.admin.token", ApiTest.ADMIN_TOKEN);
        all.putIfAbsent("micronaut.server.port", "-1");
        return ApplicationContext.run(EmbeddedServer.class, all, "test");
    }

    public static Http http(EmbeddedServer server) {
        return new Http(server.getURL().toString());
    }
}
