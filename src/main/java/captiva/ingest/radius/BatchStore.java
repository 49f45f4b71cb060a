package captiva.ingest.radius;

import captiva.common.Ticker;
import captiva.common.problem.DatabaseFailures;
import captiva.sessions.AccountingEvent;
import captiva.sessions.SessionRecorder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Stores a batch of packets in one transaction and answers them only after it committed: an answer
 * means stored, and the NAS retransmits whatever goes unanswered. A batch the database refuses for
 * one packet's values is split in halves until the bad packet is alone, so that one poisoned packet
 * cannot stall its NAS: the others are stored and answered, it is dropped.
 */
@Singleton
class BatchStore {

    private final Consumer<List<AccountingEvent>> recorder;
    private final PacketJudge judge;
    private final PacketMetrics metrics;
    private final Ticker ticker;
    private final Timer[] commits;
    private final DistributionSummary[] sizes;

    @Inject
    BatchStore(
            SessionRecorder recorder,
            AccountingPacketHandler judge,
            PacketMetrics metrics,
            MeterRegistry meters,
            Ticker ticker,
            RadiusProperties properties) {
        this(recorder::record, judge, metrics, meters, ticker, properties.writers());
    }

    /**
     * @param recorder commits the events in one transaction, or throws and commits none
     */
    BatchStore(
            Consumer<List<AccountingEvent>> recorder,
            PacketJudge judge,
            PacketMetrics metrics,
            MeterRegistry meters,
            Ticker ticker,
            int writers) {
        this.recorder = recorder;
        this.judge = judge;
        this.metrics = metrics;
        this.ticker = ticker;
        this.commits = new Timer[writers];
        this.sizes = new DistributionSummary[writers];
        for (int i = 0; i < writers; i++) {
            // Registered now, so that dashboards and alerts see zeros rather than no series before
            // the first packet.
            commits[i] = meters.timer("captiva.radius.batch.commit", "writer", Integer.toString(i));
            sizes[i] = meters.summary("captiva.radius.batch.size", "writer", Integer.toString(i));
        }
    }

    /**
     * One transaction for the batch of writer {@code writer}; answers only after it committed.
     * Returns false when the database is failing, so that the caller backs off; a batch with a
     * packet the database refuses counts as stored once the others are.
     */
    boolean store(int writer, List<QueuedPacket> batch) {
        long started = ticker.nanos();
        try {
            recorder.accept(batch.stream().map(queued -> queued.packet().event()).toList());
        } catch (RuntimeException e) {
            if (DatabaseFailures.classify(e) == DatabaseFailures.Kind.BAD_DATA) {
                return storeApart(writer, batch, e);
            }
            batch.forEach(queued -> judge.notStored(queued.packet()));
            metrics.dropped(DropReason.NOT_STORED, batch.size(), e.getMessage(), null);
            return false;
        }
        commits[writer].record(ticker.nanos() - started, TimeUnit.NANOSECONDS);
        sizes[writer].record(batch.size());
        for (QueuedPacket queued : batch) {
            judge.answered(queued.packet());
            queued.answer();
        }
        metrics.stored(batch.size());
        return true;
    }

    private boolean storeApart(int writer, List<QueuedPacket> batch, RuntimeException refusal) {
        if (batch.size() == 1) {
            PendingPacket packet = batch.get(0).packet();
            judge.notStored(packet);
            metrics.dropped(
                    DropReason.UNUSABLE,
                    1,
                    "the database refused its values: " + refusal.getMessage(),
                    packet.sender());
            return true;
        }
        int half = batch.size() / 2;
        boolean first = store(writer, batch.subList(0, half));
        boolean second = store(writer, batch.subList(half, batch.size()));
        return first && second;
    }
}
