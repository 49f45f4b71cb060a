package captiva.statistics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.Fast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The compact forms of a rollup row read back as they were written. */
@Fast
@DisplayName("rollup summaries")
class SummariesTest {

    @Test
    void aDurationHistogramReadsBackEveryDurationWithItsCount() {
        Random random = new Random(1);
        for (int round = 0; round < 200; round++) {
            long[] durations = new long[random.nextInt(50)];
            TreeMap<Long, Long> expected = new TreeMap<>();
            for (int i = 0; i < durations.length; i++) {
                durations[i] =
                        random.nextInt(3) == 0
                                ? random.nextInt(5)
                                : random.nextInt(4) == 0
                                        ? -random.nextInt(100) // a NAS clock running ahead
                                        : (long) random.nextInt(Integer.MAX_VALUE) * 1000;
                expected.merge(durations[i], 1L, Long::sum);
            }

            TreeMap<Long, Long> read = new TreeMap<>();
            List<Long> order = new ArrayList<>();
            Summaries.readDurations(
                    Summaries.durations(durations),
                    (seconds, count) -> {
                        read.put(seconds, count);
                        order.add(seconds);
                    });

            assertEquals(expected, read);
            assertEquals(new ArrayList<>(expected.keySet()), order, "ascending");
        }
    }

    @Test
    void presenceReadsBackEveryRangeSortedByGuestAndLeavesOutEmptyOnes() {
        int[] ordinals = {7, 2, 7, 0, 300_000, 2};
        long[] from = {5_000_000, 1_700_000_000_000_000L, 1_000, -50, 42, 9};
        long[] to = {6_000_000, 1_700_000_000_000_123L, 2_000, 100, 42, 10};

        List<String> read = new ArrayList<>();
        Summaries.readPresence(
                Summaries.presence(ordinals, from, to),
                (ordinal, f, t) -> read.add(ordinal + ":" + f + "-" + t));

        assertEquals(
                List.of(
                        "0:-50-100",
                        "2:9-10",
                        "2:1700000000000000-1700000000000123",
                        "7:1000-2000",
                        "7:5000000-6000000"),
                read);
    }

    /** As a month's days hold a guest's session across midnight: two ranges that touch. */
    @Test
    void aGuestsRangesThatOverlapOrTouchAreMergedAndNoOtherOnes() {
        int[] ordinals = {4, 4, 4, 4, 9};
        long[] from = {100, 200, 150, 400, 200};
        long[] to = {200, 300, 160, 500, 300};

        List<String> read = new ArrayList<>();
        Summaries.readPresence(
                Summaries.presence(ordinals, from, to),
                (ordinal, f, t) -> read.add(ordinal + ":" + f + "-" + t));

        assertEquals(List.of("4:100-300", "4:400-500", "9:200-300"), read);
    }

    @Test
    void noPresenceReadsAsNothing() {
        List<String> read = new ArrayList<>();
        Summaries.readPresence(
                Summaries.presence(new int[0], new long[0], new long[0]),
                (ordinal, f, t) -> read.add("any"));
        assertEquals(List.of(), read);
    }

    @Test
    void aBitmapReadsBackItsOrdinals() {
        int[] ordinals = {0, 1, 2, 3, 65_536, 1_000_000, 5};
        int[] read = Summaries.bitmap(Summaries.bitmap(ordinals)).toArray();
        int[] sorted = ordinals.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, read);
    }
}
