package captiva.ingest.radius;

import captiva.sessions.AccountingEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Packets and stand-ins for the parts of the RADIUS pipeline, to test each part alone without a
 * database.
 */
final class RadiusParts {

    static final SocketAddress NAS = new InetSocketAddress("127.0.0.1", 40_000);

    private RadiusParts() {}

    static PendingPacket packet(AccountingEvent.Type type, String acctSessionId) {
        AccountingEvent event =
                new AccountingEvent(
                        1,
                        1,
                        1,
                        type.isNasWide() ? null : acctSessionId,
                        type,
                        Instant.parse("2026-12-04T12:00:00Z"),
                        null,
                        null,
                        null,
                        0,
                        0,
                        null,
                        null);
        return new PendingPacket(
                event, acctSessionId.getBytes(StandardCharsets.UTF_8), NAS, acctSessionId);
    }

    static PendingPacket start(String acctSessionId) {
        return packet(AccountingEvent.Type.START, acctSessionId);
    }

    /**
     * Records which packets were reported answered or not stored, as the dedup bookkeeping would
     * see them.
     */
    static class RecordingJudge implements PacketJudge {
        final List<String> answered = Collections.synchronizedList(new ArrayList<>());
        final List<String> notStored = Collections.synchronizedList(new ArrayList<>());

        @Override
        public AccountingPacketHandler.Verdict handle(
                byte[] datagram, int length, InetSocketAddress sender) {
            throw new UnsupportedOperationException("this test judges no datagram");
        }

        @Override
        public AccountingPacketHandler.Verdict handle(
                byte[] packet, int length, InetSocketAddress sender, NasSecrets.KnownNas nas) {
            throw new UnsupportedOperationException("this test judges no packet");
        }

        @Override
        public void answered(PendingPacket packet) {
            answered.add(packet.key());
        }

        @Override
        public void notStored(PendingPacket packet) {
            notStored.add(packet.key());
        }
    }

    /** The answers sent, by the key of the packet answered (its response bytes are its key). */
    static class RecordingChannel implements AnswerChannel {
        final List<String> answers = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void answer(byte[] response, SocketAddress to) {
            answers.add(new String(response, StandardCharsets.UTF_8));
        }
    }
}
