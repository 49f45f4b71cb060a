package captiva.sessions;

import captiva.events.EventLog;
import io.micronaut.context.ApplicationContext;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.util.List;

/**
 * The oracle of {@link SessionBatchProperties}: a {@link SessionRecorder} that stores every session
 * event with its own upsert, the upsert's definition, never folded. Test code only, so that the
 * production jar carries no second way of storing a batch.
 */
final class OneByOneRecorder extends SessionRecorder {

    private final TransactionOperations<Connection> transactions;

    @SuppressWarnings("unchecked")
    OneByOneRecorder(ApplicationContext context) {
        super(context.getBean(JdbcOperations.class), context.getBean(EventLog.class));
        this.transactions = context.getBean(TransactionOperations.class);
    }

    /** As {@link SessionRecorder#record}, in one transaction, one upsert per event. */
    @Override
    public void record(List<AccountingEvent> events) {
        transactions.executeWrite(
                status -> {
                    super.record(events);
                    return null;
                });
    }

    @Override
    void upsert(List<AccountingEvent> sessionEvents) {
        upsertOneByOne(sessionEvents);
    }
}
