package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The latency percentiles against exact ones computed by sorting the same values. */
class LatencyHistogramTest {
    /** The exact value at HdrHistogram's rank for a quantile: the round(q * n)-th smallest (at least the first). */
    private static long exact(long[] sorted, double q) {
        int rank = (int) Math.max(1, Math.round(q * sorted.length));
        return sorted[rank - 1];
    }

    private static void assertWithin(long expected, long actual, String what) {
        double err = Math.abs(actual - expected) / (double) expected;
        assertTrue(err <= LatencyHistogram.RELATIVE_ERROR, what + ": " + actual + " us against exact " + expected
                + " us, off by " + String.format("%.3f %%", err * 100));
    }

    @Test
    void shouldGiveP50AndP99WithinOnePercentOfTheExactOnesForKnownDistributions() {
        Random random = new Random(16);
        List<long[]> distributions = new ArrayList<>();
        // frame latencies around 8 ms with a long tail (log-normal), a uniform spread, and a two-peak mix
        distributions.add(random.doubles(20_000).mapToLong(u -> (long) (8_000 * Math.exp(0.4 * random
                .nextGaussian()))).toArray());
        distributions.add(random.longs(20_000, 1, 200_000).toArray());
        distributions.add(random.doubles(20_000).mapToLong(u -> u < 0.97 ? 7_000 + random.nextInt(2_000)
                : 30_000 + random.nextInt(10_000)).toArray());
        for (long[] values : distributions) {
            LatencyHistogram h = new LatencyHistogram();
            for (long v : values) {
                h.recordNanos(v * 1000 + 999); // sub-microsecond parts are cut, as ChannelStats always did
            }
            long[] sorted = values.clone();
            Arrays.sort(sorted);
            LatencyHistogram.Snapshot s = h.snapshot();
            assertEquals(values.length, s.count());
            assertWithin(exact(sorted, 0.5), s.p50Us(), "p50");
            assertWithin(exact(sorted, 0.99), s.p99Us(), "p99");
            assertWithin(sorted[sorted.length - 1], s.maxUs(), "max");
            assertEquals(0, s.clamped());
        }
    }

    @Test
    void shouldNotReadTwiceTheTrueValueAsPowerOfTwoBucketsDid() {
        // 2100 us lay in the 2048-4096 us bucket, which read as 4096 us: 95 % too high.
        ChannelStats stats = new ChannelStats();
        for (int i = 0; i < 1000; i++) {
            stats.latency(2_100_000);
        }
        assertWithin(2100, stats.latencyUs(0.5), "p50");
        assertWithin(2100, stats.latencyUs(0.99), "p99");
        assertEquals(0, new ChannelStats().latencyUs(0.99), "no samples read as 0");
    }

    @Test
    void shouldClampAndCountValuesOutsideTheRangeWithoutGrowing() {
        LatencyHistogram h = new LatencyHistogram();
        long before = h.footprintBytes();
        assertTrue(before < 64 * 1024, "bounded: " + before + " bytes");
        h.recordMicros(5_000);
        h.recordNanos(3_600_000_000_000L); // an hour
        h.recordMicros(Long.MAX_VALUE);
        h.recordMicros(-20); // a clock gone backwards
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(4, s.count());
        assertEquals(3, s.clamped());
        assertWithin(LatencyHistogram.HIGHEST_US, s.maxUs(), "the clamped ones sit at the top");
        assertEquals(before, h.footprintBytes(), "the histogram did not grow");
        h.reset();
        assertEquals(new LatencyHistogram.Snapshot(0, 0, 0, 0, 0), h.snapshot());
    }

    @Test
    void shouldCountEveryValueOnceWhileWritersAndReadersRunTogether() throws Exception {
        LatencyHistogram h = new LatencyHistogram();
        int writers = 3;
        int perWriter = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perWriter; i++) {
                        h.recordMicros(1000 + i % 1000); // 1000..1999 us, evenly
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            t.start();
            threads.add(t);
        }
        // Two readers, as the heartbeat and the link panel are: counts only grow, neither takes the other's.
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread t = new Thread(() -> {
                long last = 0;
                try {
                    start.await();
                    while (writing.get()) {
                        LatencyHistogram.Snapshot s = h.snapshot();
                        if (s.count() < last) {
                            throw new AssertionError("count went back from " + last + " to " + s.count());
                        }
                        if (s.count() > 0 && (s.p50Us() < 1000 || s.p99Us() > 2000)) {
                            throw new AssertionError("a value not recorded: " + s);
                        }
                        last = s.count();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            t.start();
            readers.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        writing.set(false);
        for (Thread t : readers) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals((long) writers * perWriter, s.count());
        assertWithin(1499, s.p50Us(), "p50");
        assertWithin(1989, s.p99Us(), "p99");
    }
}
