package captiva.ingest.radius;

/**
 * A way packets come in (UDP; RadSec over TLS), feeding the {@link WriterPool}. The {@link
 * RadiusListener} starts every receiver after the writers, and at shutdown stops them all
 * receiving, lets the writers drain (whose answers still go out through the receivers), and only
 * then closes them.
 */
interface Receiver {

    /** Binds and starts receiving; throws when it cannot listen. */
    void start();

    /** Takes no more packets; answers of packets already taken can still be sent. */
    void stopReceiving();

    /** Releases the socket; nothing can be answered after this. */
    void close();
}
