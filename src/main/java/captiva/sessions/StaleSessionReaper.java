package captiva.sessions;

import captiva.events.EventLog;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes sessions whose NAS went silent for longer than the stale timeout, ending them at the last
 * time they were heard of. Queries already treat such sessions as offline; closing them keeps the
 * table honest for everything else (exports, statistics) and the open-session indexes small. Works
 * in small batches that skip rows ingestion holds, so it never blocks accounting.
 */
@Singleton
public class StaleSessionReaper {

    private static final Logger LOG = LoggerFactory.getLogger(StaleSessionReaper.class);
    static final int BATCH = 1000;

    private static final String CLOSE_STALE =
            """
            UPDATE session SET end_time = last_update, terminate_cause = COALESCE(terminate_cause, 'Stale')
            WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM session
                         WHERE end_time IS NULL AND last_update < ?
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
        long total = 0;
        int closed;
        do {
            closed = reapBatch();
            total += closed;
        } while (closed == BATCH);
        return total;
    }

    @Transactional
    int reapBatch() {
        OffsetDateTime cutoff =
                OffsetDateTime.ofInstant(sessions.onlineCutoff(clock.instant()), ZoneOffset.UTC);
        // Every tenant with a consumer: the closed sessions' session.ended events are logged with
        // them.
        Long[] logged = events.consumingTenants();
        return jdbc.prepareStatement(
                VenueDays.logged(CLOSE_STALE, EventLog.UPDATE_RETURNING, logged.length > 0),
                st -> {
                    st.setObject(1, cutoff);
                    st.setInt(2, BATCH);
                    if (logged.length > 0) {
                        st.setArray(3, st.getConnection().createArrayOf("bigint", logged));
                    }
                    try (java.sql.ResultSet rs = st.executeQuery()) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
    }
}
