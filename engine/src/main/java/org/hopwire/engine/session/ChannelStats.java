package org.hopwire.engine.session;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one channel in one direction. On the receiving side the session records, as latency, how long each
 * frame took from its first fragment's arrival to its delivery (the two hosts share no clock); the media layer may
 * add its own capture-to-display latencies. The thread that moves the frames increments them; a reporter reads
 * them from elsewhere, so each is an atomic but never locked.
 */
public final class ChannelStats {
    /** Latency buckets: 0-1 us, 1-2 us, 2-4 us, ... doubling up to about 35 minutes. */
    private static final int BUCKETS = 32;

    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong fragments = new AtomicLong();
    private final AtomicLong drops = new AtomicLong();
    private final AtomicLongArray latency = new AtomicLongArray(BUCKETS);

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

    /** Records one latency, in ns. */
    public void latency(long ns) {
        long us = Math.max(0, ns / 1000);
        int bucket = us == 0 ? 0 : Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(us));
        latency.incrementAndGet(bucket);
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

    /** The latency at a quantile (0..1), in us, as the upper edge of its bucket; 0 with no samples. */
    public long latencyUs(double quantile) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += latency.get(i);
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += latency.get(i);
            if (seen >= rank) {
                return i == 0 ? 1 : 1L << i;
            }
        }
        return 1L << (BUCKETS - 1);
    }
}
