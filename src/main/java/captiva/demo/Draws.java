package captiva.demo;

import java.util.List;
import java.util.Random;

/** The few random shapes the demo needs, drawn from a caller's seeded {@link Random}. */
final class Draws {

    private Draws() {}

    /** A count of independent arrivals with this mean (Knuth; the demo's means are small). */
    static int poisson(Random random, double mean) {
        if (mean <= 0) {
            return 0;
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            count++;
            product *= random.nextDouble();
        }
        return count;
    }

    /** Durations, byte rates: most near the median, a long tail above, as such quantities are. */
    static double logNormal(Random random, double median, double sigma) {
        return median * Math.exp(sigma * random.nextGaussian());
    }

    static double between(Random random, double from, double to) {
        return from + (to - from) * random.nextDouble();
    }

    static <T> T oneOf(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** Picks index i with probability weights[i] / sum. */
    static int weighted(Random random, double... weights) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** Regulars: low indexes come up far more often than high ones, as with real guests. */
    static int skewedIndex(Random random, int size) {
        double u = random.nextDouble();
        return Math.min(size - 1, (int) (size * u * u));
    }
}
