package captiva;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.core.reflect.ClassUtils;
import io.micronaut.runtime.Micronaut;
import java.util.Optional;

public class Application {

    /** The Micronaut environment that {@code mvn mn:run} sets (pom.xml, {@code mn.jvmArgs}). */
    public static final String DEMO_ENVIRONMENT = "demo";

    public static void main(String[] args) {
        Optional<String> missing = missingDatabase(args);
        if (missing.isPresent()) {
            // One line and no stack trace: this is a configuration error, not a crash.
            System.err.println(missing.get());
            System.exit(2);
        }
        Micronaut.run(Application.class, args);
    }

    /**
     * Why this process must not start, or empty when it has a database. Without a URL a service
     * would otherwise acknowledge real accounting into nothing (or, before, into a temporary demo
     * database), so only the demo environment, which brings its own PostgreSQL, may start without
     * one.
     */
    static Optional<String> missingDatabase(String... args) {
        try (ApplicationContext probe = ApplicationContext.builder().args(args).build()) {
            Environment environment = probe.getEnvironment().start();
            if (environment.containsProperty("datasources.default.url")) {
                return Optional.empty();
            }
            boolean demo = environment.getActiveNames().contains(DEMO_ENVIRONMENT);
            if (demo
                    && ClassUtils.isPresent(
                            "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
                            Application.class.getClassLoader())) {
                return Optional.empty();
            }
            return Optional.of(
                    "Captiva needs a PostgreSQL database: set DATASOURCES_DEFAULT_URL (e.g. "
                            + "jdbc:postgresql://db.internal:5432/captiva) with DATASOURCES_DEFAULT_USERNAME and "
                            + "DATASOURCES_DEFAULT_PASSWORD"
                            + (demo
                                    ? "; this jar has no embedded PostgreSQL, the demo runs with `./mvnw mn:run`"
                                    : ", or run the demo with `./mvnw mn:run`"));
        }
    }
}
