package captiva.events;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives committed events their positions: moves them from event_pending into event, numbering each
 * tenant's events on from its event_counter, in the order they were written. One replica numbers at
 * a time (an advisory lock) and the counter rows are locked until the numbering commits, so
 * positions become visible in increasing order: a reader that saw position p never finds a new
 * event at or below p later (docs/adr/0001-event-positions.md). Only committed pending rows are
 * visible here, so a rolled-back change never gets a position.
 */
@Singleton
public class EventSequencer {

    private static final Logger LOG = LoggerFactory.getLogger(EventSequencer.class);
    static final int BATCH = 5000;

    /** pg_try_advisory_xact_lock(1163284051 'EVNS', 0): the numbering's turn. */
    private static final String TAKE_TURN = "SELECT pg_try_advisory_xact_lock(1163284051, 0)";

    /** The same turn, waited for. */
    private static final String AWAIT_TURN =
            "SELECT true FROM pg_advisory_xact_lock(1163284051, 0)";

    private static final String ANY_PENDING = "SELECT EXISTS (SELECT 1 FROM event_pending)";

    private static final String NUMBER =
            """
            WITH taken AS (
                DELETE FROM event_pending WHERE id = ANY (ARRAY(SELECT id FROM event_pending ORDER BY id LIMIT ?))
                RETURNING *
            ), numbered AS (
                SELECT t.*, row_number() OVER (PARTITION BY t.tenant_id ORDER BY t.id) AS n,
                       count(*) OVER (PARTITION BY t.tenant_id) AS tenant_count
                FROM taken t
            ), counters AS (
                INSERT INTO event_counter AS k (tenant_id, last_position)
                SELECT tenant_id, max(tenant_count) FROM numbered GROUP BY tenant_id
                ON CONFLICT (tenant_id) DO UPDATE SET last_position = k.last_position + EXCLUDED.last_position
                RETURNING k.tenant_id, k.last_position
            ), logged AS (
                INSERT INTO event (tenant_id, position, type, occurred_at, location_id, session_id, login_id, guest_id)
                SELECT n.tenant_id, c.last_position - n.tenant_count + n.n, n.type, n.occurred_at,
                       n.location_id, n.session_id, n.login_id, n.guest_id
                FROM numbered n JOIN counters c ON c.tenant_id = n.tenant_id
            )
            SELECT count(*) FROM taken
            """;

    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final EventSignal signal;

    EventSequencer(
            JdbcOperations jdbc,
            TransactionOperations<Connection> transactions,
            EventSignal signal) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.signal = signal;
    }

    @Scheduled(fixedDelay = "${captiva.events.sequencer-interval}")
    void run() {
        try {
            sequence(TAKE_TURN);
        } catch (RuntimeException e) {
            LOG.warn("Numbering the event log failed; will try again: {}", e.toString());
        }
    }

    /**
     * Numbers every pending event committed before the call; returns how many. Waits for a
     * numbering under way (another replica's, or the scheduled one) rather than return before it is
     * done, so that what was committed has its position when this returns.
     */
    public long sequence() {
        return sequence(AWAIT_TURN);
    }

    /**
     * With {@link #TAKE_TURN}, returns at once when another replica has the turn: the scheduled
     * way.
     */
    private long sequence(String turn) {
        long total = 0;
        int numbered;
        do {
            numbered = sequenceBatch(turn);
            total += numbered;
        } while (numbered == BATCH);
        if (total > 0) {
            signal.logged();
        }
        return total;
    }

    private int sequenceBatch(String turn) {
        boolean any =
                jdbc.execute(
                        connection -> {
                            try (PreparedStatement st = connection.prepareStatement(ANY_PENDING);
                                    ResultSet rs = st.executeQuery()) {
                                return rs.next() && rs.getBoolean(1);
                            }
                        });
        if (!any) {
            return 0;
        }
        return transactions.executeWrite(
                status ->
                        jdbc.execute(
                                connection -> {
                                    try (PreparedStatement taking =
                                                    connection.prepareStatement(turn);
                                            ResultSet rs = taking.executeQuery()) {
                                        if (!rs.next() || !rs.getBoolean(1)) {
                                            return 0;
                                        }
                                    }
                                    try (PreparedStatement st =
                                            connection.prepareStatement(NUMBER)) {
                                        st.setInt(1, BATCH);
                                        try (ResultSet rs = st.executeQuery()) {
                                            rs.next();
                                            return rs.getInt(1);
                                        }
                                    }
                                }));
    }
}
