package captiva.ingest.radius;

import captiva.sessions.AccountingEvent;
import java.net.SocketAddress;

/**
 * An authenticated Accounting-Request waiting for its transaction, with the answer already made:
 * the answer goes out only once the event is committed.
 *
 * @param key the packet's identity among retransmits (NAS, Identifier, Request Authenticator)
 */
record PendingPacket(AccountingEvent event, byte[] response, SocketAddress sender, String key) {}
