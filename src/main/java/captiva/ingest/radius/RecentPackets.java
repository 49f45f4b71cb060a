package captiva.ingest.radius;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Packets seen lately, so a retransmit (same NAS, Identifier and Request Authenticator) is answered
 * again without being applied again, and a retransmit of a packet still in its transaction waits
 * for that transaction's answer. Bounded in time and in size. Applying a packet twice would be
 * harmless anyway (the session upsert is idempotent); this saves the work and the database trip.
 */
final class RecentPackets {

    /**
     * What is known of a packet: not seen, waiting for its transaction, or answered with these
     * bytes.
     */
    sealed interface Seen {
        record New() implements Seen {}

        record InFlight() implements Seen {}

        record Answered(byte[] response) implements Seen {}
    }

    private static final Seen.New NEW = new Seen.New();
    private static final Seen.InFlight IN_FLIGHT = new Seen.InFlight();

    private record Entry(Seen seen, long atNanos) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final long windowNanos;
    private final int capacity;

    RecentPackets(Duration window, int capacity) {
        this.windowNanos = window.toNanos();
        this.capacity = capacity;
    }

    /** Returns what was known of the packet and, when it is new, marks it in flight. */
    synchronized Seen begin(String key, long nowNanos) {
        evict(nowNanos);
        Entry entry = entries.get(key);
        if (entry != null) {
            return entry.seen();
        }
        entries.put(key, new Entry(IN_FLIGHT, nowNanos));
        return NEW;
    }

    synchronized void answered(String key, byte[] response, long nowNanos) {
        entries.remove(key);
        entries.put(key, new Entry(new Seen.Answered(response), nowNanos));
    }

    /** The packet was not stored: a retransmit must be taken as new. */
    synchronized void forget(String key) {
        entries.remove(key);
    }

    private void evict(long nowNanos) {
        Iterator<Entry> oldestFirst = entries.values().iterator();
        while (oldestFirst.hasNext()) {
            Entry oldest = oldestFirst.next();
            if (entries.size() <= capacity && nowNanos - oldest.atNanos() < windowNanos) {
                return;
            }
            oldestFirst.remove();
        }
    }
}
