package captiva.statistics;

import java.util.Arrays;
import java.util.List;

/**
 * The time ranges guests were online ({@code [from, to)}, microseconds), by guest id (an ordinal,
 * or a negative id for a guest without one), and the peak: the most guests online at once, a guest
 * counted once while any of their ranges is open.
 *
 * <p>The peak is found without sorting every range. Time is cut into short slots, and the number of
 * ranges that reach into a slot (counted in one pass) bounds the peak inside it. Only the ranges
 * that reach into the slots of the highest bounds are swept exactly, in rounds, until no slot left
 * can beat the peak found. A chain's year is some 2,500,000 ranges, and a sort of all their ends
 * was 43% of its time in Java (BENCHMARKS.md); its busiest slots hold a few thousand.
 */
final class OnlineRanges {

    /** Slots per range (within {@link #FEWEST_SLOTS} and {@link #MOST_SLOTS}). */
    private static final int SLOTS_PER_RANGE = 2;

    private static final int FEWEST_SLOTS = 1 << 10;

    /**
     * Two ints each, 16 MB at most (a chain's year: slots of 15 s), while its 2,500,000 ranges take
     * 20 bytes each.
     */
    private static final int MOST_SLOTS = 1 << 21;

    /** The slots a first round sweeps; each round after sweeps twice as many. */
    private static final int FIRST_ROUND = 32;

    private long[] from = new long[16];
    private long[] to = new long[16];
    private int[] guest = new int[16];
    private int size;

    /** Room for this many more ranges, so that a row's ranges grow the arrays once at most. */
    void reserve(long ranges) {
        long needed = size + ranges;
        if (needed > from.length) {
            // by half again, not double: these arrays are most of a chain's year's memory
            int capacity =
                    (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, from.length * 3L / 2));
            from = Arrays.copyOf(from, capacity);
            to = Arrays.copyOf(to, capacity);
            guest = Arrays.copyOf(guest, capacity);
        }
    }

    /** A range of a guest; an empty one ({@code to <= from}) is left out. */
    void add(int guestId, long from, long to) {
        if (to <= from) {
            return;
        }
        reserve(1);
        this.from[size] = from;
        this.to[size] = to;
        guest[size++] = guestId;
    }

    /**
     * The most guests online at once over all the parts' ranges.
     *
     * @param open counters at zero, by ordinal ([0]) and by negative id ([1], -1 first); left at
     *     zero, as every range that opens closes
     */
    static long peak(int[][] open, List<OnlineRanges> parts) {
        OnlineRanges[] all = parts.stream().filter(p -> p.size > 0).toArray(OnlineRanges[]::new);
        if (all.length == 0) {
            return 0;
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long ranges = 0;
        for (OnlineRanges part : all) {
            for (int i = 0; i < part.size; i++) {
                first = Math.min(first, part.from[i]);
                last = Math.max(last, part.to[i] - 1);
            }
            ranges += part.size;
        }
        Slots slots = new Slots(all, first, last, ranges);
        long peak = 0;
        int batch = FIRST_ROUND;
        // slots of a bound of at least `swept` have been swept
        int swept = slots.highestBound + 1;
        while (swept > peak + 1) {
            int lowest = slots.lowestBoundOfThe(batch, swept, (int) peak + 1);
            peak = Math.max(peak, slots.sweepReaching(all, lowest, swept, open));
            swept = lowest;
            batch *= 2;
        }
        return peak;
    }

    /**
     * The span cut into slots of one width, and how many ranges reach into each. The width is the
     * span over so many slots per range, so that a slot is a few seconds of a chain's busiest
     * hours: its bound is little more than the guests online in it.
     */
    private static final class Slots {
        final long origin;
        final long width;

        /** How many ranges reach into each slot (and a last slot, past the span, of none). */
        final int[] bound;

        final int highestBound;

        /** How many slots have each bound. */
        final int[] slotsByBound;

        Slots(OnlineRanges[] parts, long first, long last, long ranges) {
            long count = Math.max(FEWEST_SLOTS, Math.min(MOST_SLOTS, ranges * SLOTS_PER_RANGE));
            origin = first;
            width = Math.max(1, (last - first) / count + 1);
            // ranges starting in each slot less those that ended before it, then summed up
            bound = new int[slotOf(last) + 2];
            for (OnlineRanges part : parts) {
                for (int i = 0; i < part.size; i++) {
                    bound[slotOf(part.from[i])]++;
                    bound[slotOf(part.to[i] - 1) + 1]--;
                }
            }
            int highest = 0;
            for (int s = 1; s < bound.length; s++) {
                bound[s] += bound[s - 1];
                highest = Math.max(highest, bound[s]);
            }
            highest = Math.max(highest, bound[0]);
            highestBound = highest;
            slotsByBound = new int[highest + 1];
            for (int b : bound) {
                slotsByBound[b]++;
            }
        }

        int slotOf(long instant) {
            return (int) ((instant - origin) / width);
        }

        /**
         * The lowest bound, not under {@code floor}, of the {@code batch} slots of the highest
         * bounds under {@code below} (or of fewer, when fewer are left).
         */
        int lowestBoundOfThe(int batch, int below, int floor) {
            int b = below - 1;
            for (int taken = slotsByBound[b]; taken < batch && b > floor; ) {
                taken += slotsByBound[--b];
            }
            return b;
        }

        /**
         * The most guests online at once among the ranges that reach into a slot whose bound is at
         * least {@code lowest} and under {@code below}: exactly the peak inside those slots, as
         * every range open there is among them, and no more than the peak anywhere else.
         */
        long sweepReaching(OnlineRanges[] parts, int lowest, int below, int[][] open) {
            // how many of the slots before each are to be swept
            int[] before = new int[bound.length + 1];
            for (int s = 0; s < bound.length; s++) {
                before[s + 1] = before[s] + (bound[s] >= lowest && bound[s] < below ? 1 : 0);
            }
            long[] edges = new long[64];
            int[] guests = new int[64];
            int n = 0;
            for (OnlineRanges part : parts) {
                for (int i = 0; i < part.size; i++) {
                    if (before[slotOf(part.to[i] - 1) + 1] > before[slotOf(part.from[i])]) {
                        if (n + 2 > edges.length) {
                            edges = Arrays.copyOf(edges, edges.length * 2);
                            guests = Arrays.copyOf(guests, guests.length * 2);
                        }
                        // an instant times 2, plus 1 for a start: an end at an instant comes first
                        edges[n] = part.from[i] * 2 + 1;
                        guests[n++] = part.guest[i];
                        edges[n] = part.to[i] * 2;
                        guests[n++] = part.guest[i];
                    }
                }
            }
            return sweep(open, edges, guests, n);
        }
    }

    /** The most guests online at once over n edges, sorted here. */
    private static long sweep(int[][] open, long[] edges, int[] guests, int n) {
        sort(edges, guests, 0, n);
        long online = 0;
        long peak = 0;
        for (int e = 0; e < n; e++) {
            int g = guests[e];
            int[] counters = g >= 0 ? open[0] : open[1];
            int slot = g >= 0 ? g : -1 - g;
            if ((edges[e] & 1) == 1) {
                if (counters[slot]++ == 0) {
                    peak = Math.max(peak, ++online);
                }
            } else if (--counters[slot] == 0) {
                online--;
            }
        }
        return peak;
    }

    /** Sorts keys ascending over [from, to), carrying the payload along (3-way quicksort). */
    static void sort(long[] keys, int[] payload, int from, int to) {
        while (to - from > 24) {
            long pivot = median3(keys[from], keys[from + (to - from) / 2], keys[to - 1]);
            int lt = from;
            int gt = to - 1;
            int i = from;
            while (i <= gt) {
                if (keys[i] < pivot) {
                    swap(keys, payload, lt++, i++);
                } else if (keys[i] > pivot) {
                    swap(keys, payload, i, gt--);
                } else {
                    i++;
                }
            }
            // recurse into the smaller side, loop on the larger: the stack stays shallow
            if (lt - from < to - gt - 1) {
                sort(keys, payload, from, lt);
                from = gt + 1;
            } else {
                sort(keys, payload, gt + 1, to);
                to = lt;
            }
        }
        for (int i = from + 1; i < to; i++) {
            long k = keys[i];
            int p = payload[i];
            int j = i - 1;
            while (j >= from && keys[j] > k) {
                keys[j + 1] = keys[j];
                payload[j + 1] = payload[j];
                j--;
            }
            keys[j + 1] = k;
            payload[j + 1] = p;
        }
    }

    private static long median3(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    private static void swap(long[] keys, int[] payload, int i, int j) {
        long k = keys[i];
        keys[i] = keys[j];
        keys[j] = k;
        int p = payload[i];
        payload[i] = payload[j];
        payload[j] = p;
    }
}
