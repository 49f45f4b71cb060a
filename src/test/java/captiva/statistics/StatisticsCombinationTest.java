package captiva.statistics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Fast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Java combination of rollup rows and sessions against the same figures computed plainly from
 * the sessions, over random sets: some sessions in rollup rows (by ordinal), some read directly
 * (with an ordinal or, when their guest or device has none yet, by key).
 */
@Fast
@DisplayName("statistics combined in Java")
class StatisticsCombinationTest {

    /**
     * A session as the oracle sees it; guest and device by key (null: none); its group ({@code ""}
     * when not grouped) is its row's, or its own when read directly.
     */
    record Plain(
            String guest,
            String mac,
            long seconds,
            long from,
            long to,
            boolean online,
            int row,
            String group) {}

    @Test
    void everyFigureEqualsThePlainComputation() {
        // Groups share the period here; groups with periods of their own are StatisticsProperties'
        // job.
        Random random = new Random(7);
        for (int round = 0; round < 600; round++) {
            List<Plain> sessions = new ArrayList<>();
            // many sessions in a few rounds, so that a bucket's durations outgrow their first array
            int n = random.nextInt(10) == 0 ? random.nextInt(400) : random.nextInt(40);
            int rows = 1 + random.nextInt(4);
            boolean grouped = random.nextBoolean();
            String[] rowGroups = new String[rows];
            for (int r = 0; r < rows; r++) {
                rowGroups[r] = grouped ? "abc".substring(r % 3, r % 3 + 1) : "";
            }
            for (int i = 0; i < n; i++) {
                long from =
                        random.nextInt(3) == 0 ? 1000 * random.nextInt(5) : random.nextInt(100_000);
                long length =
                        random.nextInt(4) == 0
                                ? 0
                                : random.nextInt(3) == 0 ? 1000 : random.nextInt(50_000);
                sessions.add(
                        new Plain(
                                random.nextInt(5) == 0 ? null : "g" + random.nextInt(8),
                                random.nextInt(5) == 0 ? null : "m" + random.nextInt(6),
                                random.nextInt(3) == 0 ? random.nextInt(3) : random.nextInt(10_000),
                                from,
                                from + length,
                                random.nextInt(6) == 0,
                                // -1: read directly; else the rollup row it is in
                                random.nextInt(rows + 1) - 1,
                                grouped ? "abc".substring(i % 3, i % 3 + 1) : ""));
            }
            for (int i = 0; i < n; i++) {
                Plain s = sessions.get(i);
                if (s.row() >= 0) {
                    sessions.set(
                            i,
                            new Plain(
                                    s.guest(),
                                    s.mac(),
                                    s.seconds(),
                                    s.from(),
                                    s.to(),
                                    s.online(),
                                    s.row(),
                                    rowGroups[s.row()]));
                }
            }
            // Keys numbered, except some of those only read directly (not rolled up yet).
            Map<String, Integer> numbers = new HashMap<>();
            for (Plain s : sessions) {
                for (String key : new String[] {s.guest(), s.mac()}) {
                    if (key != null && (s.row() >= 0 || random.nextBoolean())) {
                        numbers.computeIfAbsent(key, k -> 3 * numbers.size() + 1);
                    }
                }
            }

            StatisticsCombination combination = new StatisticsCombination();
            // Some guests seen before, some of them before the period, by ordinal or by key.
            Long period = random.nextBoolean() ? null : (long) random.nextInt(100_000);
            combination.wholePeriodStarts(period);
            Map<String, Long> firstVisits = new HashMap<>();
            for (int g = 0; g < 8; g++) {
                String key = "g" + g;
                for (int visits = random.nextInt(3); visits > 0; visits--) {
                    // some just before, at or just after the period's start: at it is not before
                    long at =
                            period != null && random.nextInt(4) == 0
                                    ? period + random.nextInt(3) - 1
                                    : random.nextInt(120_000);
                    firstVisits.merge(key, at, Math::min);
                    combination.firstVisit(key, numbers.get(key), at);
                }
            }
            for (int row = 0; row < rows; row++) {
                int r = row;
                List<Plain> in = sessions.stream().filter(s -> s.row() == r).toList();
                if (in.isEmpty()) {
                    continue;
                }
                List<Plain> guests = in.stream().filter(s -> s.guest() != null).toList();
                combination.rolled(
                        rowGroups[row],
                        period,
                        in.size(),
                        in.stream().mapToLong(Plain::seconds).sum(),
                        in.size() * 10L,
                        in.size(),
                        Summaries.bitmap(
                                guests.stream().mapToInt(s -> numbers.get(s.guest())).toArray()),
                        Summaries.bitmap(
                                in.stream()
                                        .filter(s -> s.mac() != null)
                                        .mapToInt(s -> numbers.get(s.mac()))
                                        .toArray()),
                        Summaries.durations(in.stream().mapToLong(Plain::seconds).toArray()),
                        Summaries.presence(
                                guests.stream().mapToInt(s -> numbers.get(s.guest())).toArray(),
                                guests.stream().mapToLong(Plain::from).toArray(),
                                guests.stream().mapToLong(Plain::to).toArray()));
            }
            for (Plain s : sessions) {
                if (s.row() < 0) {
                    combination.session(
                            s.group(),
                            period,
                            s.seconds(),
                            10,
                            1,
                            s.guest(),
                            s.guest() == null ? null : numbers.get(s.guest()),
                            s.mac(),
                            s.mac() == null ? null : numbers.get(s.mac()),
                            s.online(),
                            s.from(),
                            s.to());
                }
            }

            int round0 = round;
            assertEquals(
                    plain(sessions, period, firstVisits),
                    combination.total(),
                    () -> "round " + round0 + ": " + sessions);
            Map<String, Statistics.Counts> groups = combination.groups();
            for (String group : grouped ? List.of("a", "b", "c") : List.<String>of()) {
                List<Plain> in = sessions.stream().filter(s -> s.group().equals(group)).toList();
                assertEquals(
                        in.isEmpty() ? null : plain(in, period, firstVisits),
                        groups.get(group),
                        () -> "round " + round0 + ", group " + group + ": " + in);
            }
        }
    }

    /** The figures of sessions, computed plainly; first visits by guest key. */
    private static Statistics.Counts plain(
            List<Plain> sessions, Long period, Map<String, Long> firstVisits) {
        int n = sessions.size();
        long[] sorted = sessions.stream().mapToLong(Plain::seconds).sorted().toArray();
        return new Statistics.Counts(
                n,
                sessions.stream().map(Plain::guest).filter(g -> g != null).distinct().count(),
                sessions.stream().map(Plain::mac).filter(m -> m != null).distinct().count(),
                period == null
                        ? 0
                        : sessions.stream()
                                .map(Plain::guest)
                                .filter(g -> g != null)
                                .distinct()
                                .filter(g -> firstVisits.getOrDefault(g, Long.MAX_VALUE) < period)
                                .count(),
                Arrays.stream(sorted).sum(),
                n == 0 ? null : sorted[(n + 1) / 2 - 1],
                10L * n,
                n,
                peak(sessions),
                sessions.stream()
                        .filter(s -> s.row() < 0 && s.online() && s.guest() != null)
                        .map(Plain::guest)
                        .distinct()
                        .count());
    }

    @Test
    void theMedianAddsUpCountsTooLargeForTheirEntries() {
        long most = 0xFFFFFFFFL;
        List<long[]> lower = new ArrayList<>();
        List<long[]> upper = new ArrayList<>();
        // 21 and 20 of the largest count one entry holds: merged, each is past 32 bits
        for (int i = 0; i < 41; i++) {
            lower.add(new long[] {i % 2 == 0 ? 60 : 90, most});
            upper.add(new long[] {i % 2 == 0 ? 90 : 60, most});
        }
        // a duration that merges within 32 bits, then one past them, in the same merge
        List<long[]> mixed = new ArrayList<>();
        mixed.add(new long[] {30, most / 2});
        mixed.add(new long[] {30, most / 2});
        mixed.add(new long[] {30, 1});
        for (int i = 0; i < 14; i++) {
            mixed.add(new long[] {60, most / 7});
        }

        for (List<long[]> adds : List.of(lower, upper, mixed)) {
            StatisticsCombination.Median median = new StatisticsCombination.Median();
            TreeMap<Long, Long> plain = new TreeMap<>();
            adds.forEach(
                    a -> {
                        median.add(a[0], a[1]);
                        plain.merge(a[0], a[1], Long::sum);
                    });
            assertEquals(plainMedian(plain), median.median());
        }
    }

    @Test
    void theMedianOfManyDistinctDurationsEqualsThePlainOne() {
        // Rows of ascending durations, as rollup rows add them: in most rounds enough distinct
        // ones to be counted densely, a few past the dense ones; in some rounds one past 32 bits,
        // or counts past 32 bits.
        Random random = new Random(13);
        for (int round = 0; round < 40; round++) {
            StatisticsCombination.Median median = new StatisticsCombination.Median();
            TreeMap<Long, Long> plain = new TreeMap<>();
            int spread = round % 3 == 0 ? 3 : 300;
            for (int row = random.nextInt(400); row > 0; row--) {
                long seconds = random.nextInt(50);
                for (int entry = random.nextInt(400); entry > 0; entry--) {
                    seconds += 1 + random.nextInt(spread);
                    long count =
                            round % 5 == 4 && random.nextInt(3000) == 0
                                    ? 1L << 33
                                    : 1 + random.nextInt(9);
                    long[] durations = {
                        seconds,
                        random.nextInt(500) == 0
                                ? seconds + StatisticsCombination.Median.DENSE
                                : -1,
                        round % 4 == 3 && random.nextInt(5000) == 0 ? seconds + (1L << 31) : -1
                    };
                    for (long d : durations) {
                        if (d >= 0) {
                            median.add(d, count);
                            plain.merge(d, count, Long::sum);
                        }
                    }
                }
            }
            assertEquals(plainMedian(plain), median.median(), "round " + round);
        }
    }

    @Test
    void aUnionOfThousandsOfRowsHoldsEveryOrdinal() {
        Random random = new Random(5);
        StatisticsCombination.Union union = new StatisticsCombination.Union();
        Set<Integer> expected = new HashSet<>();
        for (int row = 0; row < 2_500; row++) {
            int[] ordinals = random.ints(random.nextInt(5), 0, 100_000).toArray();
            Arrays.stream(ordinals).forEach(expected::add);
            union.add(Summaries.bitmap(Summaries.bitmap(ordinals)));
            if (row % 7 == 0) {
                int single = random.nextInt(100_000);
                expected.add(single);
                union.add(single);
            }
        }

        assertEquals(
                expected.stream().sorted().toList(),
                Arrays.stream(union.result().toArray()).boxed().toList());
    }

    @Test
    void theSortCarriesItsPayloadAndOrdersLikeArraysSort() {
        Random random = new Random(3);
        for (int round = 0; round < 100; round++) {
            int n = random.nextInt(2_000);
            long[] keys = new long[n];
            int[] payload = new int[n];
            for (int i = 0; i < n; i++) {
                keys[i] = random.nextInt(4) == 0 ? random.nextInt(10) : random.nextLong();
                payload[i] = Long.hashCode(keys[i]);
            }
            long[] expected = keys.clone();
            Arrays.sort(expected);

            OnlineRanges.sort(keys, payload, 0, n);

            assertArrayEquals(expected, keys);
            for (int i = 0; i < n; i++) {
                assertEquals(Long.hashCode(keys[i]), payload[i]);
            }
        }
    }

    @Test
    void thePeakOfManyPartsOverDaysEqualsThePlainCount() {
        // Over hours to days, so that the peak takes several rounds of slots: ranges starting and
        // ending at hours and one instant either side, at the same instants as each other, short
        // and long, and of guests with and without an ordinal.
        Random random = new Random(11);
        long hour = 3_600_000_000L;
        long base = 494_444 * hour;
        for (int round = 0; round < 400; round++) {
            int numbered = 1 + random.nextInt(round % 2 == 0 ? 6 : 3000);
            int unnumbered = random.nextInt(4);
            List<OnlineRanges> parts = new ArrayList<>();
            for (int p = 1 + random.nextInt(30); p > 0; p--) {
                parts.add(new OnlineRanges());
            }
            long span = hour * (1 + random.nextInt(round % 3 == 0 ? 3 : 150));
            List<long[]> ranges = new ArrayList<>();
            for (int n = random.nextInt(400); n > 0; n--) {
                int guest = random.nextInt(numbered + unnumbered) - unnumbered;
                long from =
                        random.nextBoolean()
                                ? base + hour * random.nextInt(6) + random.nextInt(3) - 1
                                : base + (long) (random.nextDouble() * span);
                long to =
                        switch (random.nextInt(5)) {
                            case 0 -> from;
                            case 1 -> base + hour * random.nextInt(7) + random.nextInt(3) - 1;
                            case 2 -> from + random.nextInt(1000);
                            case 3 -> from + (long) (random.nextDouble() * 2 * hour);
                            default -> from + (long) (random.nextDouble() * span);
                        };
                parts.get(random.nextInt(parts.size())).add(guest, from, to);
                ranges.add(new long[] {guest, from, to});
            }
            int[][] open = {new int[numbered], new int[unnumbered]};

            long peak = OnlineRanges.peak(open, parts);

            int round0 = round;
            assertEquals(plainPeak(ranges), peak, () -> "round " + round0);
            assertTrue(
                    Arrays.stream(open).flatMapToInt(Arrays::stream).allMatch(c -> c == 0),
                    "the counters are left at zero");
        }
    }

    /** The lower middle of sessions by duration, as percentile_disc(0.5). */
    private static Long plainMedian(TreeMap<Long, Long> sessionsByDuration) {
        long wanted =
                (sessionsByDuration.values().stream().mapToLong(Long::longValue).sum() + 1) / 2;
        long seen = 0;
        for (Map.Entry<Long, Long> e : sessionsByDuration.entrySet()) {
            seen += e.getValue();
            if (seen >= wanted) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The most distinct guests of ranges {guest, from, to} holding one instant: some start. */
    private static long plainPeak(List<long[]> ranges) {
        long best = 0;
        for (long[] at : ranges) {
            Set<Long> online = new HashSet<>();
            for (long[] r : ranges) {
                if (r[1] <= at[1] && r[2] > at[1]) {
                    online.add(r[0]);
                }
            }
            best = Math.max(best, online.size());
        }
        return best;
    }

    /** {@link #plainPeak} of the sessions that have a guest. */
    private static long peak(List<Plain> sessions) {
        Map<String, Integer> ids = new HashMap<>();
        return plainPeak(
                sessions.stream()
                        .filter(s -> s.guest() != null)
                        .map(
                                s ->
                                        new long[] {
                                            ids.computeIfAbsent(s.guest(), g -> ids.size()),
                                            s.from(),
                                            s.to()
                                        })
                        .toList());
    }
}
