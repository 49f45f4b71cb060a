package captiva.sessions;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.jdbc.DataSourceResolver;
import io.micronaut.scheduling.annotation.Scheduled;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code captiva.sessions.online}: guests online now, all tenants together. Counted every 15 s from
 * the partial index of open sessions, not on every scrape: Prometheus may scrape every replica
 * often, and a scrape must never wait on the database.
 */
@Context
public class OnlineSessionsGauge {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineSessionsGauge.class);
    private static final String COUNT_ONLINE =
            "SELECT count(*) FROM session s WHERE " + Online.sql("s", "?");

    private final DataSource dataSource;
    private final Clock clock;
    private final SessionProperties sessions;
    private final AtomicLong online = new AtomicLong();

    OnlineSessionsGauge(
            DataSource dataSource,
            DataSourceResolver resolver,
            Clock clock,
            SessionProperties sessions,
            MeterRegistry meters) {
        this.dataSource = resolver.resolve(dataSource);
        this.clock = clock;
        this.sessions = sessions;
        Gauge.builder("captiva.sessions.online", online, AtomicLong::get)
                .description(
                        "Sessions started, not stopped and heard from within the stale timeout (all tenants)")
                .register(meters);
    }

    @Scheduled(fixedDelay = "15s")
    void refresh() {
        try {
            online.set(count());
        } catch (SQLException | RuntimeException e) {
            LOG.debug(
                    "Counting online sessions failed; the gauge keeps its last value: {}",
                    e.toString());
        }
    }

    /** Counts now; the gauge shows the result until the next count. */
    public long count() throws SQLException {
        OffsetDateTime cutoff =
                OffsetDateTime.ofInstant(sessions.onlineCutoff(clock.instant()), ZoneOffset.UTC);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement st = connection.prepareStatement(COUNT_ONLINE)) {
            st.setObject(1, cutoff);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                long count = rs.getLong(1);
                online.set(count);
                return count;
            }
        }
    }
}
