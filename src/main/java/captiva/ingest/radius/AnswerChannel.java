package captiva.ingest.radius;

import java.net.SocketAddress;

/** The way back to a NAS: the socket or connection its packet came in on. */
@FunctionalInterface
interface AnswerChannel {

    /**
     * Sends or counts the failure; never throws, because the NAS retransmits whatever goes
     * unanswered.
     */
    void answer(byte[] response, SocketAddress to);
}
