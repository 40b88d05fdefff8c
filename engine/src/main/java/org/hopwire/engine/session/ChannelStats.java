package org.hopwire.engine.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one channel in one direction. On the receiving side the session records, as latency, how long each
 * frame took from its first fragment's arrival to its delivery (the two hosts share no clock); the media layer may
 * add its own capture-to-display latencies. The thread that moves the frames increments them; a reporter reads
 * them from elsewhere, so each is an atomic but never locked. Latency percentiles are exact to within
 * {@link LatencyHistogram#RELATIVE_ERROR} (see {@link LatencyHistogram}).
 */
public final class ChannelStats {

    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong fragments = new AtomicLong();
    private final AtomicLong drops = new AtomicLong();
    private final LatencyHistogram latency = new LatencyHistogram();

    public void frame(long payloadBytes) {
        frames.incrementAndGet();
        bytes.addAndGet(payloadBytes);
    }

    public void fragments(long n) {
        fragments.addAndGet(n);
    }

    public void drop() {
        drops.incrementAndGet();
    }

    /** Records one latency, in ns (wait-free; see {@link LatencyHistogram}). */
    public void latency(long ns) {
        latency.recordNanos(ns);
    }

    public long frames() {
        return frames.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public long fragments() {
        return fragments.get();
    }

    public long drops() {
        return drops.get();
    }

    /** The latency at a quantile (0..1) of every latency recorded so far, in us; 0 with no samples. */
    public long latencyUs(double quantile) {
        return latency.percentileUs(quantile);
    }

    /** Count, p50, p99 and maximum of every latency recorded so far, read together. */
    public LatencyHistogram.Snapshot latency() {
        return latency.snapshot();
    }
}
