package captiva.ingest.radius;

import captiva.ingest.radius.AccountingPacketHandler.Verdict;
import java.net.SocketAddress;

/**
 * What a receiver does with a packet's verdict, the same over UDP and over RadSec: a packet to
 * store goes to a writer, or is counted as dropped and forgotten by the judge when every queue is
 * full (the NAS retransmits it); a retransmit of a stored packet is answered again; the rest is
 * counted.
 */
final class Verdicts {

    private Verdicts() {}

    /**
     * @param channel the way back to the NAS: its socket or its RadSec connection
     * @param peer where the packet came from, for the answer and the metrics
     */
    static void follow(
            Verdict verdict,
            AnswerChannel channel,
            SocketAddress peer,
            PacketJudge judge,
            WriterPool writers,
            PacketMetrics metrics) {
        if (verdict instanceof Verdict.Store store) {
            if (writers.submit(new QueuedPacket(store.packet(), channel))) {
                return;
            }
            judge.notStored(store.packet());
            metrics.dropped(
                    DropReason.QUEUE_FULL,
                    1,
                    "writer queue is full (" + writers.capacity() + " in all)",
                    peer);
        } else if (verdict instanceof Verdict.Answer answer) {
            metrics.count("answered_again");
            channel.answer(answer.response(), peer);
        } else if (verdict instanceof Verdict.AwaitCommit) {
            metrics.count("awaiting_commit");
        } else if (verdict instanceof Verdict.Drop drop) {
            metrics.dropped(drop.reason(), 1, drop.detail(), peer);
        }
    }
}
