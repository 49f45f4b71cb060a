package captiva.testing;

import java.util.Map;
import org.flywaydb.core.Flyway;

/** Migrates a database outside the service, the way the service's own Flyway does. */
public final class Migrations {

    private Migrations() {}

    /**
     * Applies every migration. As application.yml configures the service's Flyway, the migration
     * lock is not held in a transaction: V53's CREATE INDEX CONCURRENTLY waits for every open
     * transaction, so behind a transaction-scoped lock it waits for ever.
     */
    public static void migrate(String url, String username, String password) {
        Flyway.configure()
                .dataSource(url, username, password)
                .locations("classpath:db/migration")
                .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .load()
                .migrate();
    }
}
