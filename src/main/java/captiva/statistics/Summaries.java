package captiva.statistics;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;

/**
 * The compact forms of a venue-day's figures that do not add up (V70__compact_venue_day.sql), so
 * that any set of venue-days combines exactly in Java at the cost of its answer:
 *
 * <ul>
 *   <li>distinct guests and devices: RoaringBitmaps of the tenant's guest and device ordinals
 *       ({@link Ordinals}), in the library's portable format;
 *   <li>durations: every distinct duration (whole seconds) with how many sessions had it,
 *       ascending, as varints: the median of any union is exact;
 *   <li>presence: each guest's time online, merged into ranges ({@code [from, to)}, microseconds
 *       since the epoch), as (ordinal, from, to) sorted by ordinal then start, as varints: the peak
 *       of any union is exact, a guest counted once wherever else they were at the time.
 * </ul>
 */
final class Summaries {

    private Summaries() {}

    /** A bitmap of ordinals, run-optimised and serialised. */
    static byte[] bitmap(int[] ordinals) {
        return bitmap(RoaringBitmap.bitmapOf(ordinals));
    }

    /** A bitmap, run-optimised and serialised. */
    static byte[] bitmap(RoaringBitmap bitmap) {
        bitmap.runOptimize();
        ByteBuffer out = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
        bitmap.serialize(out);
        return out.array();
    }

    /** A serialised bitmap, read in place. */
    static ImmutableRoaringBitmap bitmap(byte[] serialized) {
        return new ImmutableRoaringBitmap(ByteBuffer.wrap(serialized));
    }

    // ---------------------------------------------------------------- durations

    /** The histogram of durations given one per session, in any order. */
    static byte[] durations(long[] durations) {
        long[] sorted = durations.clone();
        Arrays.sort(sorted);
        long[] seconds = new long[sorted.length];
        long[] sessions = new long[sorted.length];
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                seconds[distinct++] = sorted[i];
            }
            sessions[distinct - 1]++;
        }
        return histogram(seconds, sessions, distinct);
    }

    /** The histogram of durations given as sessions by duration. */
    static byte[] durations(SortedMap<Long, Long> sessionsByDuration) {
        long[] seconds = new long[sessionsByDuration.size()];
        long[] sessions = new long[seconds.length];
        int i = 0;
        for (Map.Entry<Long, Long> e : sessionsByDuration.entrySet()) {
            seconds[i] = e.getKey();
            sessions[i++] = e.getValue();
        }
        return histogram(seconds, sessions, i);
    }

    /** The first {@code n} distinct durations, ascending, with their sessions. */
    private static byte[] histogram(long[] seconds, long[] sessions, int n) {
        Bytes out = new Bytes(3 * n + 4);
        out.unsigned(n);
        long previous = 0;
        for (int i = 0; i < n; i++) {
            out.signed(seconds[i] - previous);
            out.unsigned(sessions[i]);
            previous = seconds[i];
        }
        return out.toArray();
    }

    /** Receives a histogram's entries, ascending by duration. */
    interface DurationSink {
        void duration(long seconds, long sessions);
    }

    static void readDurations(byte[] histogram, DurationSink sink) {
        Reader in = new Reader(histogram);
        long n = in.unsigned();
        long value = 0;
        for (long i = 0; i < n; i++) {
            value += in.signed();
            sink.duration(value, in.unsigned());
        }
    }

    // ---------------------------------------------------------------- presence

    /**
     * The presence of a venue-day or venue-month: entry i is guest {@code ordinals[i]} online from
     * {@code from[i]} to {@code to[i]}. A guest's ranges that overlap or touch are merged (a
     * month's days hold a session across midnight as two), which leaves every peak as it was; empty
     * ranges are left out.
     */
    static byte[] presence(int[] ordinals, long[] from, long[] to) {
        Integer[] order = new Integer[ordinals.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                (a, b) ->
                        ordinals[a] != ordinals[b]
                                ? Integer.compareUnsigned(ordinals[a], ordinals[b])
                                : Long.compare(from[a], from[b]));
        int[] guest = new int[ordinals.length];
        long[] start = new long[ordinals.length];
        long[] end = new long[ordinals.length];
        int kept = 0;
        long base = Long.MAX_VALUE;
        for (int i : order) {
            if (to[i] <= from[i]) {
                continue;
            }
            if (kept > 0 && guest[kept - 1] == ordinals[i] && from[i] <= end[kept - 1]) {
                end[kept - 1] = Math.max(end[kept - 1], to[i]);
            } else {
                guest[kept] = ordinals[i];
                start[kept] = from[i];
                end[kept++] = to[i];
                base = Math.min(base, from[i]);
            }
        }
        Bytes out = new Bytes(12 * kept + 12);
        out.unsigned(kept);
        if (kept == 0) {
            return out.toArray();
        }
        out.signed(base);
        int previousOrdinal = 0;
        for (int i = 0; i < kept; i++) {
            out.unsigned(Integer.toUnsignedLong(guest[i] - previousOrdinal));
            out.unsigned(start[i] - base);
            out.unsigned(end[i] - start[i]);
            previousOrdinal = guest[i];
        }
        return out.toArray();
    }

    /** Receives presence entries. */
    interface PresenceSink {
        void online(int ordinal, long from, long to);
    }

    /** How many ranges a presence holds, without reading them. */
    static long presenceRanges(byte[] presence) {
        return new Reader(presence).unsigned();
    }

    static void readPresence(byte[] presence, PresenceSink sink) {
        Reader in = new Reader(presence);
        long n = in.unsigned();
        if (n == 0) {
            return;
        }
        long base = in.signed();
        int ordinal = 0;
        for (long i = 0; i < n; i++) {
            ordinal += (int) in.unsigned();
            long from = base + in.unsigned();
            sink.online(ordinal, from, from + in.unsigned());
        }
    }

    // ---------------------------------------------------------------- varints

    /** A growing byte array written with LEB128 varints (zig-zag for signed values). */
    private static final class Bytes {
        private byte[] bytes;
        private int size;

        Bytes(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        void unsigned(long value) {
            if (size + 10 > bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2 + 10);
            }
            while ((value & ~0x7FL) != 0) {
                bytes[size++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            bytes[size++] = (byte) value;
        }

        void signed(long value) {
            unsigned((value << 1) ^ (value >> 63));
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    private static final class Reader {
        private final byte[] bytes;
        private int at;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        long unsigned() {
            long value = 0;
            int shift = 0;
            byte b;
            do {
                b = bytes[at++];
                value |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            return value;
        }

        long signed() {
            long z = unsigned();
            return (z >>> 1) ^ -(z & 1);
        }
    }
}
