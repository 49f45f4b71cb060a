package captiva.sessions.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * A closed loop: a fixed number of workers, each sending its next request as soon as the last one
 * answered, for a warm-up and then a measured time. Only requests started in the measured time are
 * timed; failures are counted throughout. A worker that has timed no request when the measured time
 * ends (its requests are slower than the window) goes on until it has timed one, for at most {@link
 * #MAX_OVERRUN} more: a slow type reports its latency instead of nothing, and the rate is taken
 * over the time actually measured.
 */
final class LoadLoop {

    static final Duration MAX_OVERRUN = Duration.ofMinutes(10);

    /** One worker's way to make a request; its resources (a connection) are its own. */
    interface Worker extends AutoCloseable {
        /** Makes one request; returns a failure description, or null when the answer was right. */
        String call() throws Exception;

        @Override
        default void close() throws Exception {}
    }

    /** Latencies in milliseconds; {@code firstFailure} is null when nothing failed. */
    record Stats(
            long requests,
            double perSecond,
            double p50,
            double p99,
            long failures,
            String firstFailure) {}

    private LoadLoop() {}

    static Stats run(
            int concurrency, Duration warmup, Duration measured, IntFunction<Worker> workers)
            throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        long[] window =
                new long[3]; // measured from, until, overrun limit (System.nanoTime); written
        // before go, read after it
        long[] lastDone = new long[concurrency];
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long[][] timedPerWorker = new long[concurrency][];
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int index = w;
            Thread thread =
                    new Thread(
                            () -> {
                                long[] timed = new long[1024];
                                int count = 0;
                                try (Worker worker = workers.apply(index)) {
                                    ready.countDown();
                                    go.await();
                                    long now = System.nanoTime();
                                    while (now < window[1] || count == 0 && now < window[2]) {
                                        String failure;
                                        try {
                                            failure = worker.call();
                                        } catch (Exception | OutOfMemoryError e) {
                                            // the SQL side computes in this JVM: a request it
                                            // had no room for failed, and the worker goes on
                                            failure = e.toString();
                                        }
                                        long done = System.nanoTime();
                                        if (failure != null) {
                                            failures.incrementAndGet();
                                            firstFailure.compareAndSet(null, failure);
                                        } else if (now >= window[0]) {
                                            if (count == timed.length) {
                                                timed = Arrays.copyOf(timed, count * 2);
                                            }
                                            timed[count++] = done - now;
                                            lastDone[index] = done;
                                        }
                                        now = done;
                                    }
                                } catch (Throwable e) {
                                    failures.incrementAndGet();
                                    firstFailure.compareAndSet(null, "worker: " + e);
                                    ready.countDown();
                                } finally {
                                    timedPerWorker[index] = Arrays.copyOf(timed, count);
                                }
                            },
                            "load-" + index);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        window[0] = System.nanoTime() + warmup.toNanos();
        window[1] = window[0] + measured.toNanos();
        window[2] = window[1] + MAX_OVERRUN.toNanos();
        go.countDown();
        for (Thread thread : threads) {
            thread.join(); // also makes timedPerWorker and lastDone visible here
        }
        long[] all = Arrays.stream(timedPerWorker).flatMapToLong(Arrays::stream).sorted().toArray();
        long measuredUntil = Math.max(window[1], Arrays.stream(lastDone).max().orElse(window[1]));
        return new Stats(
                all.length,
                all.length / ((measuredUntil - window[0]) / 1e9),
                percentile(all, 0.50),
                percentile(all, 0.99),
                failures.get(),
                firstFailure.get());
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }
}
