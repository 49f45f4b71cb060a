package captiva.sessions;

import captiva.events.EventLog;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.annotation.Transactional;
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
 * Closes sessions whose NAS went silent for longer than the stale timeout, ending them at the last
 * time they were heard of. Queries already treat such sessions as offline; closing them keeps the
 * table honest for everything else (exports, statistics) and the open-session indexes small. Works
 * tenant by tenant, in small batches that skip rows ingestion holds, so it never blocks accounting:
 * Citus takes row locks only in a statement it sends to one tenant's shards.
 */
@Singleton
public class StaleSessionReaper {

    private static final Logger LOG = LoggerFactory.getLogger(StaleSessionReaper.class);
    static final int BATCH = 1000;

    /** The tenants with sessions to close; read without locks, so across every shard on Citus. */
    private static final String TENANTS_WITH_STALE =
            "SELECT DISTINCT tenant_id FROM session WHERE end_time IS NULL AND last_update < ?";

    private static final String CLOSE_STALE =
            """
            UPDATE session SET end_time = last_update, terminate_cause = COALESCE(terminate_cause, 'Stale')
            WHERE tenant_id = ? AND id IN (SELECT id FROM session
                         WHERE tenant_id = ? AND end_time IS NULL AND last_update < ?
                         LIMIT ? FOR UPDATE SKIP LOCKED)
              AND end_time IS NULL
            """;

    private final JdbcOperations jdbc;
    private final Clock clock;
    private final SessionProperties sessions;
    private final EventLog events;

    StaleSessionReaper(
            JdbcOperations jdbc, Clock clock, SessionProperties sessions, EventLog events) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.sessions = sessions;
        this.events = events;
    }

    @Scheduled(
            fixedDelay = "${captiva.sessions.reaper-interval}",
            initialDelay = "${captiva.sessions.reaper-interval}")
    void run() {
        try {
            long closed = reap();
            if (closed > 0) {
                LOG.info("Closed {} stale sessions", closed);
            }
        } catch (RuntimeException e) {
            LOG.warn("Stale-session reaper failed; will try again: {}", e.toString());
        }
    }

    /** Closes every session silent since before the stale timeout; returns how many. */
    public long reap() {
        OffsetDateTime cutoff =
                OffsetDateTime.ofInstant(sessions.onlineCutoff(clock.instant()), ZoneOffset.UTC);
        List<Long> tenants =
                jdbc.execute(
                        connection -> {
                            List<Long> ids = new ArrayList<>();
                            try (PreparedStatement st =
                                    connection.prepareStatement(TENANTS_WITH_STALE)) {
                                st.setObject(1, cutoff);
                                try (ResultSet rs = st.executeQuery()) {
                                    while (rs.next()) {
                                        ids.add(rs.getLong(1));
                                    }
                                }
                            }
                            return ids;
                        });
        long total = 0;
        for (long tenant : tenants) {
            int closed;
            do {
                closed = reapBatch(tenant, cutoff);
                total += closed;
            } while (closed == BATCH);
        }
        return total;
    }

    @Transactional
    int reapBatch(long tenant, OffsetDateTime cutoff) {
        // The closed sessions' session.ended events are logged with them when the tenant has a
        // consumer.
        boolean logged = events.consumingAmong(new long[] {tenant}).length > 0;
        return jdbc.prepareStatement(
                VenueDays.logged(CLOSE_STALE, EventLog.UPDATE_RETURNING, logged),
                st -> {
                    st.setLong(1, tenant);
                    st.setLong(2, tenant);
                    st.setObject(3, cutoff);
                    st.setInt(4, BATCH);
                    st.setLong(5, tenant); // VenueDays.LOGGED
                    if (logged) {
                        st.setArray(
                                6, st.getConnection().createArrayOf("bigint", new Long[] {tenant}));
                    }
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
    }
}
