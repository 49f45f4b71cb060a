package captiva.ingest.radius;

import java.net.InetSocketAddress;

/**
 * What the receivers and the batch store ask of {@link AccountingPacketHandler}: a verdict per
 * datagram, and to learn how each packet it sent to be stored ended, so that a retransmit is
 * answered again (stored) or taken as new (not stored).
 */
interface PacketJudge {

    /** Any input whatsoever ends in a verdict, never an exception. */
    AccountingPacketHandler.Verdict handle(byte[] datagram, int length, InetSocketAddress sender);

    /**
     * The same for a RadSec packet (RFC 6614), whose NAS is already known from its connection's
     * client certificate, with the secret {@code radsec}.
     */
    AccountingPacketHandler.Verdict handle(
            byte[] packet, int length, InetSocketAddress sender, NasSecrets.KnownNas nas);

    /** The packet was stored and answered: retransmits get the same answer. */
    void answered(PendingPacket packet);

    /** The packet was not stored: its retransmit must be taken as new. */
    void notStored(PendingPacket packet);
}
