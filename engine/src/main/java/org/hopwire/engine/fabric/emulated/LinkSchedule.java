package org.hopwire.engine.fabric.emulated;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One direction of an emulated cable as a single wire: packets of all streams going that way are serialised one
 * after another at the cable's rate, then arrive after its latency.
 */
final class LinkSchedule {
    private final double nsPerByte;
    private final long latencyNs;
    /** When the wire is next free, in {@link System#nanoTime()} terms. */
    private final AtomicLong freeAtNs = new AtomicLong(Long.MIN_VALUE);

    LinkSchedule(CableProfile profile) {
        this.nsPerByte = profile.bytesPerSecond() == 0 ? 0 : 1e9 / profile.bytesPerSecond();
        this.latencyNs = profile.latencyNs();
    }

    /** Books the wire for {@code bytes} and returns when sending them starts. */
    long reserve(long bytes) {
        long now = System.nanoTime();
        long bookedNs = (long) (bytes * nsPerByte);
        while (true) {
            long prev = freeAtNs.get();
            long start = Math.max(now, prev);
            if (freeAtNs.compareAndSet(prev, start + bookedNs)) {
                return start;
            }
        }
    }

    /** How long {@code bytes} take on the wire at the cable's rate. */
    long wireNs(long bytes) {
        return (long) (bytes * nsPerByte);
    }

    /** When a packet arrives whose last byte is {@code bytesSent} into a booking that started at {@code startNs}. */
    long arrivalNs(long startNs, long bytesSent) {
        return startNs + (long) (bytesSent * nsPerByte) + latencyNs;
    }
}
