package captiva.demo;

import captiva.Application;
import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanInitializedEventListener;
import io.micronaut.context.event.BeanInitializingEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's database: in the {@code demo} environment ({@code mvn mn:run}) with no database URL,
 * starts a real PostgreSQL from binaries on the class path and points the default datasource at it,
 * before the pool is built. Its presence is what turns the demo data and simulator on.
 *
 * <p>Never on a missing URL alone: a production instance that lost its configuration would then
 * acknowledge real accounting into a temporary folder. The binaries are a {@code provided}
 * dependency, so the packaged jar does not even carry them.
 */
@Singleton
@Requires(env = Application.DEMO_ENVIRONMENT)
@Requires(missingProperty = "datasources.default.url")
@Requires(classes = EmbeddedPostgres.class)
public class EmbeddedDatabase implements BeanInitializedEventListener<DatasourceConfiguration> {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private EmbeddedPostgres postgres;

    @Override
    public synchronized DatasourceConfiguration onInitialized(
            BeanInitializingEvent<DatasourceConfiguration> event) {
        DatasourceConfiguration config = event.getBean();
        if (!"default".equals(config.getName())) {
            return config;
        }
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                LOG.info(
                        "Demo: started an embedded PostgreSQL on port {} for this run",
                        postgres.getPort());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
        config.setUrl(postgres.getJdbcUrl("postgres", "postgres"));
        config.setUsername("postgres");
        config.setPassword("postgres");
        return config;
    }

    @PreDestroy
    synchronized void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }
}
