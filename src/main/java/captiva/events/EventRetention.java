package captiva.events;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes events older than the retention ({@code captiva.events.retention}, 7 days by default),
 * with the finished deliveries and the attempts of that age, tenant by tenant in small batches.
 * Pending deliveries stay until delivered or given up on.
 */
@Singleton
public class EventRetention {

    private static final Logger LOG = LoggerFactory.getLogger(EventRetention.class);
    static final int BATCH = 5000;

    private static final String TENANTS = "SELECT tenant_id FROM event_counter";
    private static final String DELETE_EVENTS =
            """
            DELETE FROM event WHERE tenant_id = ? AND position = ANY (ARRAY(
                SELECT position FROM event WHERE tenant_id = ? AND logged_at < ? ORDER BY logged_at LIMIT ?))
            """;
    private static final String DELETE_ENDED_MARKS =
            """
            DELETE FROM event_session_ended WHERE tenant_id = ? AND session_id = ANY (ARRAY(
                SELECT session_id FROM event_session_ended WHERE tenant_id = ? AND logged_at < ? ORDER BY logged_at LIMIT ?))
            """;
    private static final String DELETE_DELIVERIES =
            """
            DELETE FROM webhook_delivery WHERE id = ANY (ARRAY(
                SELECT d.id FROM webhook_delivery d
                WHERE d.tenant_id = ? AND d.state <> 'pending' AND d.created_at < ? LIMIT ?))
            """;
    private static final String DELETE_ATTEMPTS =
            """
            DELETE FROM webhook_attempt WHERE id = ANY (ARRAY(
                SELECT a.id FROM webhook_attempt a WHERE a.tenant_id = ? AND a.attempted_at < ? AND a.delivery_id IS NULL LIMIT ?))
            """;

    private final JdbcOperations jdbc;
    private final Clock clock;
    private final EventProperties properties;

    EventRetention(JdbcOperations jdbc, Clock clock, EventProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.properties = properties;
    }

    @Scheduled(fixedDelay = "${captiva.events.retention-interval}", initialDelay = "1m")
    void run() {
        try {
            long deleted = deleteExpired();
            if (deleted > 0) {
                LOG.info("Deleted {} events past the retention", deleted);
            }
        } catch (RuntimeException e) {
            LOG.warn("Deleting expired events failed; will try again: {}", e.toString());
        }
    }

    /** Deletes every event older than the retention; returns how many. */
    public long deleteExpired() {
        OffsetDateTime cutoff =
                OffsetDateTime.ofInstant(
                        clock.instant().minus(properties.retention()), ZoneOffset.UTC);
        List<Long> tenants =
                jdbc.execute(
                        connection -> {
                            List<Long> found = new ArrayList<>();
                            try (PreparedStatement st = connection.prepareStatement(TENANTS);
                                    ResultSet rs = st.executeQuery()) {
                                while (rs.next()) {
                                    found.add(rs.getLong(1));
                                }
                            }
                            return found;
                        });
        long total = 0;
        for (long tenantId : tenants) {
            int deleted;
            do {
                deleted = delete(DELETE_EVENTS, tenantId, cutoff, true);
                total += deleted;
            } while (deleted == BATCH);
            while (delete(DELETE_ENDED_MARKS, tenantId, cutoff, true) == BATCH) {
                // next batch
            }
            while (delete(DELETE_DELIVERIES, tenantId, cutoff, false) == BATCH) {
                // next batch
            }
            while (delete(DELETE_ATTEMPTS, tenantId, cutoff, false) == BATCH) {
                // next batch
            }
        }
        return total;
    }

    private int delete(String sql, long tenantId, OffsetDateTime cutoff, boolean tenantTwice) {
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(sql)) {
                        int i = 0;
                        st.setLong(++i, tenantId);
                        if (tenantTwice) {
                            st.setLong(++i, tenantId);
                        }
                        st.setObject(++i, cutoff);
                        st.setInt(++i, BATCH);
                        return st.executeUpdate();
                    }
                });
    }
}
