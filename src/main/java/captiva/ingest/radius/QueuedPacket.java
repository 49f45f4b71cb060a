package captiva.ingest.radius;

/** A packet to store, and the way its answer goes back once it is committed. */
record QueuedPacket(PendingPacket packet, AnswerChannel channel) {

    void answer() {
        channel.answer(packet.response(), packet.sender());
    }
}
