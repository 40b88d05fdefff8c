package org.hopwire.engine.session;

import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies with a bounded relative error: every percentile it reports lies within {@link #RELATIVE_ERROR} of a
 * latency that was recorded at that rank (HdrHistogram at {@link #SIGNIFICANT_DIGITS} significant digits, in
 * microseconds). Power-of-two buckets, which it replaces, could read up to twice the true value.
 *
 * <p>Threads: any number of threads {@link #recordNanos record} without a lock and without allocating (a wait-free
 * {@link Recorder}); readers ({@link #snapshot}) take what was recorded since the last read into a running total,
 * under this object's monitor, so several readers (the heartbeat's STATS, the link panel, the CLI) each see every
 * value once in the total and never steal each other's.
 *
 * <p>Memory is fixed at creation: values above {@link #HIGHEST_US} (and below zero, a clock gone backwards) are
 * clamped to the range and counted in {@link Snapshot#clamped()}, never thrown.
 */
public final class LatencyHistogram {
    /** Two digits: 1 % relative error in about 20 KB per histogram; three would be 0.1 % in about 150 KB. */
    public static final int SIGNIFICANT_DIGITS = 2;
    /** What {@link #SIGNIFICANT_DIGITS} guarantee, as a fraction of the value. */
    public static final double RELATIVE_ERROR = 0.01;
    /** One minute: a frame later than that is lost for any purpose; longer values are clamped and counted. */
    public static final long HIGHEST_US = 60_000_000L;

    /**
     * What was recorded so far.
     *
     * @param count   latencies recorded
     * @param p50Us   median, in us (0 with no latencies)
     * @param p99Us   99th percentile, in us
     * @param maxUs   the largest, in us (to within the relative error)
     * @param clamped latencies outside 0..{@link #HIGHEST_US} that were recorded at the nearest end
     */
    public record Snapshot(long count, long p50Us, long p99Us, long maxUs, long clamped) {
    }

    private final Recorder recorder = new Recorder(HIGHEST_US, SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(HIGHEST_US, SIGNIFICANT_DIGITS);
    private final AtomicLong clamped = new AtomicLong();
    /** The last interval, handed back to the recorder to fill again: reads allocate nothing after the first. */
    private Histogram interval;

    /** Records one latency given in ns. */
    public void recordNanos(long ns) {
        recordMicros(ns / 1000);
    }

    /** Records one latency given in us. */
    public void recordMicros(long us) {
        long v = us;
        if (v < 0 || v > HIGHEST_US) {
            v = v < 0 ? 0 : HIGHEST_US;
            clamped.incrementAndGet();
        }
        recorder.recordValue(v);
    }

    /** Everything recorded so far (since creation or the last {@link #reset}). */
    public synchronized Snapshot snapshot() {
        drain();
        return new Snapshot(total.getTotalCount(), at(0.5), at(0.99), total.getMaxValue(), clamped.get());
    }

    /** The latency at a quantile (0..1) of everything recorded so far, in us; 0 with nothing recorded. */
    public synchronized long percentileUs(double quantile) {
        drain();
        return at(quantile);
    }

    /** Forgets everything recorded: the next snapshot counts from now. */
    public synchronized void reset() {
        drain();
        total.reset();
        clamped.set(0);
    }

    /** The memory its histograms take, in bytes; fixed at creation. */
    public synchronized long footprintBytes() {
        drain();
        return total.getEstimatedFootprintInBytes() * 3; // the total, and the recorder's active and inactive halves
    }

    private void drain() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
    }

    private long at(double quantile) {
        return total.getTotalCount() == 0 ? 0 : total.getValueAtPercentile(quantile * 100);
    }
}
