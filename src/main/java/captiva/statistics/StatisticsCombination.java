package captiva.statistics;

import io.micronaut.core.annotation.Nullable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.roaringbitmap.buffer.BufferFastAggregation;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;
import org.roaringbitmap.buffer.MutableRoaringBitmap;

/**
 * The statistics of each bucket (the whole selection {@code ""}, and each group), combined in Java
 * from the rollup rows taken whole and the sessions read directly: sums add up; distinct guests and
 * devices are unions of ordinal bitmaps (a session's guest or device without an ordinal is in no
 * rollup row, so it is counted by its key); the median is read off the merged duration histograms;
 * the peak is over every presence range ({@link OnlineRanges}), counting a guest while any of their
 * ranges is open (so a guest on two devices or at two venues at once is one, and an end at an
 * instant comes before a start at it); a guest of a bucket is returning when their first visit at a
 * venue the key may see ({@link #firstVisit}, the earliest given) is before the start of the period
 * they are in the bucket for.
 *
 * <p>A rollup row or a session goes into the whole selection and, when grouped, into its group. Its
 * presence ranges are kept once, in its group when it has one: the whole selection's peak is over
 * its own ranges and the groups'. A chain's year holds millions of ranges (BENCHMARKS.md), so a
 * second copy for the whole selection would double the largest part of a statement's memory.
 */
final class StatisticsCombination {

    private final Bucket total = new Bucket(true);
    private final Map<String, Bucket> groups = new LinkedHashMap<>();

    /**
     * Guests without an ordinal, numbered here from -1 down, so that the peak's sweep counts them
     * by key.
     */
    private final Map<String, Integer> unnumbered = new HashMap<>();

    private int largestOrdinal = -1;

    /** The start of the whole selection's period, in microseconds; null: none. */
    @Nullable private Long wholePeriod;

    /** Each numbered guest's first visit, in microseconds (Long.MAX_VALUE: none known). */
    private long[] firstVisits = new long[0];

    /** The same for guests without an ordinal, by key. */
    private final Map<String, Long> firstVisitsByKey = new HashMap<>();

    /** The numbered guests of the sessions read directly (rollup rows may hold them too). */
    private final MutableRoaringBitmap guestsOfSessions = new MutableRoaringBitmap();

    void wholePeriodStarts(@Nullable Long micros) {
        wholePeriod = micros;
    }

    /**
     * A guest's visit, by ordinal or (without one) by key, at a venue the key may see: the earliest
     * of all counts.
     */
    void firstVisit(@Nullable String guestKey, @Nullable Integer guestOrdinal, long micros) {
        if (guestOrdinal != null) {
            int o = guestOrdinal;
            if (o >= firstVisits.length) {
                int old = firstVisits.length;
                firstVisits = Arrays.copyOf(firstVisits, Math.max(o + 1, old * 2));
                Arrays.fill(firstVisits, old, firstVisits.length, Long.MAX_VALUE);
            }
            firstVisits[o] = Math.min(firstVisits[o], micros);
        } else if (guestKey != null) {
            firstVisitsByKey.merge(guestKey, micros, Math::min);
        }
    }

    /**
     * A rollup row taken whole, in its group ({@code ""}: not grouped) whose period starts at
     * {@code period} (null: none).
     */
    void rolled(
            String group,
            @Nullable Long period,
            long sessions,
            long totalSeconds,
            long downloaded,
            long uploaded,
            byte[] guestOrdinals,
            byte[] deviceOrdinals,
            byte[] durationCounts,
            byte[] presence) {
        Bucket groupBucket = group.isEmpty() ? null : bucket(group);
        ImmutableRoaringBitmap guests = Summaries.bitmap(guestOrdinals);
        ImmutableRoaringBitmap devices = Summaries.bitmap(deviceOrdinals);
        for (Bucket b : buckets(groupBucket)) {
            b.sessions += sessions;
            b.totalSeconds += totalSeconds;
            b.downloaded += downloaded;
            b.uploaded += uploaded;
            b.guestsIn(period).add(guests);
            b.devices.add(devices);
        }
        Summaries.readDurations(
                durationCounts,
                (seconds, count) -> {
                    total.durations.add(seconds, count);
                    if (groupBucket != null) {
                        groupBucket.durations.add(seconds, count);
                    }
                });
        OnlineRanges online = (groupBucket != null ? groupBucket : total).online;
        online.reserve(Summaries.presenceRanges(presence));
        Summaries.readPresence(
                presence,
                (ordinal, from, to) -> {
                    largestOrdinal = Math.max(largestOrdinal, ordinal);
                    online.add(ordinal, from, to);
                });
    }

    /**
     * A session read directly, in its group ({@code ""}: not grouped).
     *
     * @param guestKey null: no guest
     * @param guestOrdinal null: the guest has no ordinal yet
     * @param mac null: no device
     * @param deviceOrdinal null: the device has no ordinal yet
     */
    void session(
            String group,
            @Nullable Long period,
            long seconds,
            long downloaded,
            long uploaded,
            @Nullable String guestKey,
            @Nullable Integer guestOrdinal,
            @Nullable String mac,
            @Nullable Integer deviceOrdinal,
            boolean online,
            long startMicros,
            long effectiveEndMicros) {
        Bucket groupBucket = group.isEmpty() ? null : bucket(group);
        int guestId = 0;
        if (guestKey != null) {
            if (guestOrdinal != null) {
                guestId = guestOrdinal;
                largestOrdinal = Math.max(largestOrdinal, guestOrdinal);
                guestsOfSessions.add(guestOrdinal);
            } else {
                guestId = unnumbered.computeIfAbsent(guestKey, k -> -1 - unnumbered.size());
            }
        }
        if (groupBucket != null && guestKey != null && guestOrdinal == null) {
            groupBucket.period(period).keys.add(guestKey);
        }
        if (guestKey != null) {
            (groupBucket != null ? groupBucket : total)
                    .online.add(guestId, startMicros, effectiveEndMicros);
        }
        for (Bucket b : buckets(groupBucket)) {
            b.sessions++;
            b.totalSeconds += seconds;
            b.downloaded += downloaded;
            b.uploaded += uploaded;
            b.durations.add(seconds, 1);
            if (guestKey != null) {
                if (guestOrdinal != null) {
                    b.guestsIn(period).add(guestOrdinal);
                } else {
                    b.unnumberedGuests.add(guestKey);
                }
                if (online) {
                    b.onlineNow.add(guestKey);
                }
            }
            if (mac != null) {
                if (deviceOrdinal != null) {
                    b.devices.add(deviceOrdinal);
                } else {
                    b.unnumberedDevices.add(mac);
                }
            }
        }
    }

    /**
     * The numbered guests whose first visit the returning figure needs: those of every bucket whose
     * period has a start.
     */
    int[] guestsWithAPeriod() {
        return withAPeriod().toArray();
    }

    /** Those of {@link #guestsWithAPeriod} who had a session read directly. */
    int[] guestsOfSessionsWithAPeriod() {
        return MutableRoaringBitmap.and(withAPeriod(), guestsOfSessions).toArray();
    }

    /**
     * Gives every guest of {@link #guestsWithAPeriod} who is in rollup rows only, and not in {@code
     * known}, a first visit before {@code since}: for a reader that read the first visits from
     * {@code since} on, and knows that every guest of a row it took had one before the row's
     * sessions, so before the end of the period.
     */
    void firstSeenBefore(long since, MutableRoaringBitmap known) {
        MutableRoaringBitmap before =
                MutableRoaringBitmap.andNot(
                        MutableRoaringBitmap.andNot(withAPeriod(), guestsOfSessions), known);
        before.forEach((int g) -> firstVisit(null, g, since - 1));
    }

    /** {@link #guestsWithAPeriod}, gathered once every row and session is in. */
    private MutableRoaringBitmap withAPeriod() {
        if (withAPeriod != null) {
            return withAPeriod;
        }
        MutableRoaringBitmap wanted = new MutableRoaringBitmap();
        if (wholePeriod != null) {
            wanted.or(total.guests());
        }
        for (Bucket group : groups.values()) {
            for (Map.Entry<Long, Period> p : group.periods.entrySet()) {
                // a group's guests are all the whole selection's: with the same period, known
                if (p.getKey() != null && !p.getKey().equals(wholePeriod)) {
                    wanted.or(p.getValue().guests.result());
                }
            }
        }
        withAPeriod = wanted;
        return wanted;
    }

    private MutableRoaringBitmap withAPeriod;

    /** Whether a guest without an ordinal is in a bucket whose period has a start. */
    boolean hasUnnumberedGuestsWithAPeriod() {
        if (wholePeriod != null && !total.unnumberedGuests.isEmpty()) {
            return true;
        }
        for (Bucket group : groups.values()) {
            for (Map.Entry<Long, Period> p : group.periods.entrySet()) {
                if (p.getKey() != null && !p.getValue().keys.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The whole selection's figures: empty (no session) means none. */
    Statistics.Counts total() {
        return total.counts(this);
    }

    /** Each group's figures, by group name, in no particular order. */
    Map<String, Statistics.Counts> groups() {
        Map<String, Statistics.Counts> out = new LinkedHashMap<>();
        groups.forEach((name, b) -> out.put(name, b.counts(this)));
        return out;
    }

    private MutableRoaringBitmap seenBeforeTheWholePeriod;

    /**
     * The numbered guests first seen before the whole selection's period starts: the returning
     * guests of every bucket whose period starts with it (a chain's year by venue: the total and
     * each of its hundreds of groups) are its intersection with their guests, not a look-up each.
     */
    private MutableRoaringBitmap seenBeforeTheWholePeriod() {
        if (seenBeforeTheWholePeriod == null) {
            long start = Objects.requireNonNull(wholePeriod);
            MutableRoaringBitmap seen = new MutableRoaringBitmap();
            for (int g = 0; g < firstVisits.length; g++) {
                if (firstVisits[g] < start) {
                    seen.add(g);
                }
            }
            seenBeforeTheWholePeriod = seen;
        }
        return seenBeforeTheWholePeriod;
    }

    private boolean visitedBefore(int ordinal, long period) {
        return ordinal < firstVisits.length && firstVisits[ordinal] < period;
    }

    private boolean visitedBefore(String key, long period) {
        Long first = firstVisitsByKey.get(key);
        return first != null && first < period;
    }

    /** The whole selection's peak: over its own ranges and every group's. */
    private long peak() {
        List<OnlineRanges> all = new ArrayList<>(groups.size() + 1);
        all.add(total.online);
        groups.values().forEach(g -> all.add(g.online));
        return OnlineRanges.peak(openRanges(), all);
    }

    private int[][] openRanges;

    /**
     * The peak's counters of open ranges per guest id: ordinals, and the negative ids. Shared by
     * the buckets: a sweep leaves every counter at zero, as every range that opens closes.
     */
    private int[][] openRanges() {
        if (openRanges == null) {
            openRanges = new int[][] {new int[largestOrdinal + 1], new int[unnumbered.size()]};
        }
        return openRanges;
    }

    private Bucket bucket(String name) {
        return name.isEmpty() ? total : groups.computeIfAbsent(name, n -> new Bucket(false));
    }

    private List<Bucket> buckets(@Nullable Bucket group) {
        return group == null ? List.of(total) : List.of(total, group);
    }

    /**
     * Ordinals from rows' bitmaps and from single sessions. The rows' bitmaps are merged a few
     * dozen at a time rather than kept to the end: a chain's year is about 200,000 rows, each in
     * the whole selection's union and its group's, and every row's bitmaps held on were most of a
     * statement's memory (BENCHMARKS.md). A venue's year is a few hundred rows, so a group's union
     * merges as it goes too. Each row or-ed into the union in place was slower for a chain's year
     * (BENCHMARKS.md): the union's array containers were merged whole again for every row.
     */
    static final class Union {
        private static final int PENDING = 64;

        private final MutableRoaringBitmap merged = new MutableRoaringBitmap();
        private final List<ImmutableRoaringBitmap> pending = new ArrayList<>();

        void add(ImmutableRoaringBitmap bitmap) {
            pending.add(bitmap);
            if (pending.size() == PENDING) {
                merge();
            }
        }

        void add(int ordinal) {
            merged.add(ordinal);
        }

        /** Everything added so far. */
        MutableRoaringBitmap result() {
            merge();
            return merged;
        }

        private void merge() {
            if (!pending.isEmpty()) {
                merged.or(BufferFastAggregation.or(pending.iterator()));
                pending.clear();
            }
        }
    }

    /** A group's guests whose period starts at one instant. */
    private static final class Period {
        final Union guests = new Union();

        /** Those without an ordinal. */
        final Set<String> keys = new HashSet<>();
    }

    /** One bucket's figures as they are gathered. */
    private static final class Bucket {
        long sessions;
        long totalSeconds;
        long downloaded;
        long uploaded;

        /** A group's guests by the start of their period (a day group's differs by venue). */
        final Map<Long, Period> periods = new HashMap<>();

        /** Whether this is the whole selection, whose guests are gathered once, not by period. */
        final boolean whole;

        /** The whole selection's numbered guests. */
        private final Union wholeGuests = new Union();

        final Union devices = new Union();
        final Set<String> unnumberedGuests = new HashSet<>();
        final Set<String> unnumberedDevices = new HashSet<>();
        final Set<String> onlineNow = new HashSet<>();
        final Median durations = new Median();
        final OnlineRanges online = new OnlineRanges();

        private MutableRoaringBitmap guests;

        Bucket(boolean whole) {
            this.whole = whole;
        }

        Period period(@Nullable Long start) {
            return periods.computeIfAbsent(start, s -> new Period());
        }

        /** Where the bucket's numbered guests of a row or session in the period go. */
        Union guestsIn(@Nullable Long period) {
            return whole ? wholeGuests : period(period).guests;
        }

        /** The bucket's numbered guests, once every row and session is in. */
        MutableRoaringBitmap guests() {
            if (guests == null) {
                if (whole) {
                    guests = wholeGuests.result();
                } else if (periods.size() == 1) {
                    guests = periods.values().iterator().next().guests.result();
                } else {
                    guests = new MutableRoaringBitmap();
                    periods.values().forEach(p -> guests.or(p.guests.result()));
                }
            }
            return guests;
        }

        Statistics.Counts counts(StatisticsCombination all) {
            MutableRoaringBitmap guests = guests();
            long returning = 0;
            if (whole) {
                if (all.wholePeriod != null) {
                    long start = all.wholePeriod;
                    returning =
                            MutableRoaringBitmap.andCardinality(
                                            guests, all.seenBeforeTheWholePeriod())
                                    + unnumberedGuests.stream()
                                            .filter(k -> all.visitedBefore(k, start))
                                            .count();
                }
            } else {
                MutableRoaringBitmap back = new MutableRoaringBitmap();
                Set<String> backByKey = new HashSet<>();
                for (Map.Entry<Long, Period> p : periods.entrySet()) {
                    if (p.getKey() == null) {
                        continue;
                    }
                    long start = p.getKey();
                    MutableRoaringBitmap periodGuests = p.getValue().guests.result();
                    if (p.getKey().equals(all.wholePeriod)) {
                        back.or(
                                MutableRoaringBitmap.and(
                                        periodGuests, all.seenBeforeTheWholePeriod()));
                    } else {
                        periodGuests.forEach(
                                (int g) -> {
                                    if (all.visitedBefore(g, start)) {
                                        back.add(g);
                                    }
                                });
                    }
                    for (String key : p.getValue().keys) {
                        if (all.visitedBefore(key, start)) {
                            backByKey.add(key);
                        }
                    }
                }
                returning = back.getLongCardinality() + backByKey.size();
            }
            return new Statistics.Counts(
                    sessions,
                    guests.getLongCardinality() + unnumberedGuests.size(),
                    devices.result().getLongCardinality() + unnumberedDevices.size(),
                    returning,
                    totalSeconds,
                    durations.median(),
                    downloaded,
                    uploaded,
                    whole ? all.peak() : OnlineRanges.peak(all.openRanges(), List.of(online)),
                    onlineNow.size());
        }
    }

    /**
     * Durations with their counts; the median is the lower middle one (as PostgreSQL's {@code
     * percentile_disc(0.5)}): the smallest duration that at least half of the sessions have or stay
     * under. Each rollup row adds its own histogram, so a year of venue-days adds about one entry
     * per session. Entries of one duration are merged whenever the array fills, which keeps it to
     * about the number of distinct durations; once those are many (a chain's year has tens of
     * thousands), durations under {@link #DENSE} seconds are counted in an array by duration
     * instead, as sorting the entries again at every fill was a tenth of the year's time in Java
     * (BENCHMARKS.md).
     */
    static final class Median {
        private static final long COUNT = 0xFFFFFFFFL;

        /** Durations counted by index once counted densely: about 18 hours, 512 KB. */
        static final int DENSE = 1 << 16;

        /**
         * The packed entries left after a merge from which durations are counted densely: their
         * array then takes half the memory of the dense one, so that a statement's many small
         * buckets (a chain's venues) stay packed. Counting every venue densely ran a chain's year
         * out of a 512 MB heap.
         */
        private static final int MANY = DENSE / 4;

        /** Duration in the high 32 bits, count in the low 32, while both fit. */
        private long[] packed = new long[16];

        private int size;
        private long sessions;

        /** Sessions by duration, for durations under DENSE; null: not counted densely. */
        @Nullable private long[] dense;

        /** Every entry, once a duration or a count does not fit the others; null: none. */
        @Nullable private TreeMap<Long, Long> wide;

        void add(long seconds, long count) {
            sessions += count;
            put(seconds, count);
        }

        private void put(long seconds, long count) {
            if (wide != null) {
                wide.merge(seconds, count, Long::sum);
            } else if (dense != null && seconds >= 0 && seconds < DENSE && count >= 0) {
                dense[(int) seconds] += count;
            } else if (seconds >= 0 && seconds < (1L << 31) && count >= 0 && count <= COUNT) {
                if (size == packed.length) {
                    // which may count this duration densely from now on
                    merge();
                    put(seconds, count);
                    return;
                }
                packed[size++] = seconds << 32 | count;
            } else {
                TreeMap<Long, Long> all = new TreeMap<>();
                forEach((s, c) -> all.merge(s, c, Long::sum));
                all.merge(seconds, count, Long::sum);
                wide = all;
                size = 0;
                packed = new long[0];
                dense = null;
            }
        }

        /**
         * Sorts the entries and merges those of one duration; then counts durations densely when
         * many are left, or grows the array when that leaves it more than half full. A merged count
         * too large for 32 bits stays in several entries of that duration (never more than it was
         * merged from), which the median adds up alike.
         */
        private void merge() {
            Arrays.sort(packed, 0, size);
            int merged = 0;
            for (int i = 0; i < size; ) {
                long seconds = packed[i] >>> 32;
                long count = 0;
                for (; i < size && packed[i] >>> 32 == seconds; i++) {
                    count += packed[i] & COUNT;
                }
                if (dense != null && seconds < DENSE) {
                    dense[(int) seconds] += count;
                    continue;
                }
                for (; count > COUNT; count -= COUNT) {
                    packed[merged++] = seconds << 32 | COUNT;
                }
                packed[merged++] = seconds << 32 | count;
            }
            size = merged;
            if (dense == null && size > MANY) {
                dense = new long[DENSE];
                merge();
            } else if (size > packed.length / 2) {
                packed = Arrays.copyOf(packed, packed.length * 2);
            }
        }

        /** Every duration counted, with its sessions, ascending (a duration may come again). */
        private void forEach(Summaries.DurationSink sink) {
            if (wide != null) {
                wide.forEach(sink::duration);
                return;
            }
            if (dense != null) {
                for (int seconds = 0; seconds < DENSE; seconds++) {
                    if (dense[seconds] > 0) {
                        sink.duration(seconds, dense[seconds]);
                    }
                }
            }
            long[] sorted = Arrays.copyOf(packed, size);
            Arrays.sort(sorted);
            for (long entry : sorted) {
                sink.duration(entry >>> 32, entry & COUNT);
            }
        }

        @Nullable
        Long median() {
            if (sessions == 0) {
                return null;
            }
            long wanted = (sessions + 1) / 2;
            long[] seen = {0};
            Long[] median = {null};
            forEach(
                    (seconds, count) -> {
                        seen[0] += count;
                        if (median[0] == null && seen[0] >= wanted) {
                            median[0] = seconds;
                        }
                    });
            if (median[0] == null) {
                throw new IllegalStateException("median past the end");
            }
            return median[0];
        }
    }
}
