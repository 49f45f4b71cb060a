package captiva.common.sql;

import io.micronaut.flyway.FlywayConfigurationCustomizer;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.Arrays;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link CitusDistribution} at the end of every Flyway migrate of the default datasource, on
 * Flyway's own connection. That is inside the creation of the datasource, before the pool is handed
 * to anything (RADIUS listener, schedulers, requests), so nothing ever writes to a table that is
 * about to move; and under the lock Flyway holds while it migrates, so replicas starting together
 * do not distribute the same table twice. A Java callback rather than an {@code afterMigrate.sql}
 * so that the list of reference tables is written once, in Java, where the schema rules test reads
 * it too. A failure stops the start: a service half on Citus and half on the coordinator alone is
 * worse than one that says which table Citus refused.
 */
@Singleton
@Named("default")
final class DistributeAfterMigrate implements FlywayConfigurationCustomizer {

    private static final Logger LOG = LoggerFactory.getLogger(DistributeAfterMigrate.class);

    @Override
    public String getName() {
        return "default";
    }

    @Override
    public void customizeFluentConfiguration(FluentConfiguration configuration) {
        Callback[] callbacks = configuration.getCallbacks();
        Callback[] withOurs = Arrays.copyOf(callbacks, callbacks.length + 1);
        withOurs[callbacks.length] = new Distribute();
        configuration.callbacks(withOurs);
    }

    private static final class Distribute implements Callback {

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.AFTER_MIGRATE;
        }

        /** No: {@link CitusDistribution#distribute} runs its own transaction, all or nothing. */
        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return false;
        }

        @Override
        public void handle(Event event, Context context) {
            try {
                CitusDistribution.Outcome outcome =
                        CitusDistribution.distribute(context.getConnection());
                if (outcome instanceof CitusDistribution.Outcome.Distributed d
                        && !(d.referenceTables().isEmpty() && d.distributedTables().isEmpty())) {
                    LOG.info(
                            "Citus: made reference tables {}, distributed by tenant_id {}",
                            d.referenceTables(),
                            d.distributedTables());
                }
            } catch (SQLException e) {
                throw new IllegalStateException(
                        "Could not distribute the schema on Citus: " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "citus-distribution";
        }
    }
}
