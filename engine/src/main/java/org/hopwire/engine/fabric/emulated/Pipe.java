package org.hopwire.engine.fabric.emulated;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.hopwire.engine.fabric.Usb4Stream;

/**
 * One direction of an emulated stream: the frames between a writer's TX ring and a reader's RX ring.
 *
 * <p>Data travels as DATA packets of at most 4 KiB, one per frame; the writer's last close adds a CLOSE frame. At
 * most {@code capacity} frames (the writer's {@code ring_size}) are in flight, which is the driver's end-to-end flow
 * control: a write takes what fits and blocks only while no frame is free. Reads take what has arrived, across
 * frame boundaries, and stop before a CLOSE so the data before it is read first.
 *
 * <p>One writer and one reader at a time (each side has its lock); they meet through the volatile {@code head} and
 * {@code tail} counters, so the data path takes no shared lock. A side that must wait spins briefly, then parks;
 * the other side signals only when someone is parked.
 */
final class Pipe {
    /** A frame length that marks a CLOSE packet. */
    private static final int CLOSE = -1;
    /** Spin this many times before parking: about 10-30 us, less than a thread wake-up costs. */
    private static final int SPIN_LIMIT = 400;
    /** A parked side looks again at least this often, so no missed signal can hang it. */
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Waits shorter than this for a packet's arrival time are spun, since parking overshoots by ~50 us. */
    private static final long SPIN_UNTIL_NS = 100_000;

    enum WriterState { NEVER_OPENED, OPEN, CLOSED }

    /** Checks done on every pass of a blocking read or write, so closes, removals and unplugs end it. */
    interface Guard {
        void check() throws IOException;

        /** The exception for a read or write on a link that went away. */
        IOException linkDown(String reason);
    }

    /** The frames; replaced only while empty, and published by the following {@code tail} write. */
    private static final class Ring {
        final byte[][] frames;
        final int[] lengths;
        final long[] arrivalNs;

        Ring(int slots, boolean timed) {
            frames = new byte[slots][];
            lengths = new int[slots];
            arrivalNs = timed ? new long[slots] : null;
        }
    }

    private final LinkSchedule schedule;
    private volatile Ring ring;
    private volatile int capacity;

    private volatile long head;
    private volatile long tail;
    /** Bytes of the head frame already read; readers only. */
    private int headOffset;
    /** Whether the last frame read was a CLOSE; readers only. */
    private boolean lastWasClose;

    private volatile WriterState writerState = WriterState.NEVER_OPENED;
    private volatile String brokenReason;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition changed = waitLock.newCondition();
    private volatile int parked;
    private volatile long version;

    Pipe(LinkSchedule schedule, int capacity) {
        this.schedule = schedule;
        this.capacity = capacity;
        // One slot more than the capacity, for a CLOSE behind a full ring: close never blocks.
        this.ring = new Ring(capacity + 1, schedule != null);
    }

    /** The writer's device was opened: its ring size becomes the window, and a reader waiting past a CLOSE waits on. */
    void writerOpened(int ringSize) {
        writeLock.lock();
        try {
            capacity = ringSize;
            if (head == tail && ring.frames.length != ringSize + 1) {
                ring = new Ring(ringSize + 1, schedule != null);
            }
            writerState = WriterState.OPEN;
        } finally {
            writeLock.unlock();
        }
        wake();
    }

    /** The writer's last close: queue a CLOSE after the data, unless one already ends the queue. */
    void writerClosed() {
        writeLock.lock();
        try {
            if (brokenReason == null) {
                long t = tail;
                Ring r = ring;
                boolean closeAlreadyLast = t != head && r.lengths[slot(r, t - 1)] == CLOSE;
                if (!closeAlreadyLast) {
                    int i = slot(r, t);
                    r.lengths[i] = CLOSE;
                    if (r.arrivalNs != null) {
                        long start = schedule.reserve(0);
                        r.arrivalNs[i] = schedule.arrivalNs(start, 0);
                    }
                    tail = t + 1;
                }
            }
            writerState = WriterState.CLOSED;
        } finally {
            writeLock.unlock();
        }
        wake();
    }

    WriterState writerState() {
        return writerState;
    }

    /** The link went away: every blocked and later read and write fails. */
    void breakLink(String reason) {
        brokenReason = reason;
        wake();
    }

    /** The reason the link is gone, or null. */
    String brokenReason() {
        return brokenReason;
    }

    /** Wakes parked readers and writers so they look at their guards again. */
    void wake() {
        version++;
        signalIfParked();
    }

    private static int slot(Ring r, long sequence) {
        return (int) (sequence % r.frames.length);
    }

    // ---- reading -----------------------------------------------------------------------------------------------

    /** Reads what has arrived, blocking until something has; -1 when the writer closed and all before was read. */
    int read(ByteBuffer dst, Guard guard) throws IOException {
        if (!dst.hasRemaining()) {
            guard.check();
            return 0;
        }
        acquire(readLock, guard);
        try {
            while (true) {
                guard.check();
                if (brokenReason != null) {
                    throw guard.linkDown(brokenReason);
                }
                long h = head;
                long t = tail;
                if (h != t) {
                    Ring r = ring;
                    int n = take(r, dst, h, t);
                    if (n != 0) {
                        return n;
                    }
                    // The head packet is still on the wire.
                    waitUntil(r.arrivalNs[slot(r, h)], guard);
                    continue;
                }
                if (lastWasClose && writerState == WriterState.CLOSED) {
                    return -1;
                }
                awaitChange(h, t);
            }
        } finally {
            readLock.unlock();
        }
    }

    private int take(Ring r, ByteBuffer dst, long h, long t) {
        long now = r.arrivalNs != null ? System.nanoTime() : 0;
        long h0 = h;
        int n = 0;
        while (h < t && dst.hasRemaining()) {
            int i = slot(r, h);
            if (r.arrivalNs != null && r.arrivalNs[i] > now) {
                break;
            }
            int len = r.lengths[i];
            if (len == CLOSE) {
                if (n > 0) {
                    break;
                }
                lastWasClose = true;
                head = h + 1;
                signalIfParked();
                return -1;
            }
            int k = Math.min(len - headOffset, dst.remaining());
            dst.put(r.frames[i], headOffset, k);
            n += k;
            lastWasClose = false;
            if (headOffset + k == len) {
                headOffset = 0;
                h++;
            } else {
                headOffset += k;
            }
        }
        if (h != h0) {
            head = h;
            signalIfParked();
        }
        return n;
    }

    private void waitUntil(long deadlineNs, Guard guard) throws IOException {
        long remaining = deadlineNs - System.nanoTime();
        if (remaining <= 0) {
            return;
        }
        if (remaining < SPIN_UNTIL_NS) {
            while (System.nanoTime() < deadlineNs) {
                Thread.onSpinWait();
            }
            return;
        }
        waitLock.lock();
        try {
            parked++;
            changed.awaitNanos(Math.min(remaining - SPIN_UNTIL_NS / 2, MAX_PARK_NS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            parked--;
            waitLock.unlock();
        }
        guard.check();
    }

    // ---- writing -----------------------------------------------------------------------------------------------

    /** Queues as many packets as the ring has room for, blocking only while it is full; returns the bytes taken. */
    int write(ByteBuffer src, Guard guard) throws IOException {
        acquire(writeLock, guard);
        try {
            while (true) {
                guard.check();
                if (brokenReason != null) {
                    throw guard.linkDown(brokenReason);
                }
                if (!src.hasRemaining()) {
                    return 0;
                }
                long h = head;
                long t = tail;
                Ring r = ring;
                if (h == t && r.frames.length != capacity + 1) {
                    r = new Ring(capacity + 1, schedule != null);
                    ring = r;
                }
                long free = capacity - (t - h);
                if (free > 0) {
                    return put(r, src, t, free);
                }
                awaitChange(h, t);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private int put(Ring r, ByteBuffer src, long t, long free) {
        int max = Usb4Stream.MAX_PACKET_BYTES;
        int total = (int) Math.min(src.remaining(), free * max);
        int packets = (total + max - 1) / max;
        long start = r.arrivalNs != null ? schedule.reserve(total) : 0;
        int sent = 0;
        for (int p = 0; p < packets; p++) {
            int i = slot(r, t + p);
            byte[] frame = r.frames[i];
            if (frame == null) {
                frame = new byte[max];
                r.frames[i] = frame;
            }
            int len = Math.min(max, total - sent);
            src.get(frame, 0, len);
            r.lengths[i] = len;
            sent += len;
            if (r.arrivalNs != null) {
                r.arrivalNs[i] = schedule.arrivalNs(start, sent);
            }
        }
        tail = t + packets;
        signalIfParked();
        return total;
    }

    // ---- waiting -----------------------------------------------------------------------------------------------

    /** Takes a side's lock, still answering closes and unplugs while another reader or writer holds it. */
    private static void acquire(ReentrantLock lock, Guard guard) throws IOException {
        while (true) {
            guard.check();
            try {
                if (lock.tryLock(MAX_PARK_NS, TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void signalIfParked() {
        if (parked > 0) {
            waitLock.lock();
            try {
                changed.signalAll();
            } finally {
                waitLock.unlock();
            }
        }
    }

    /** Waits until head, tail or the state moved from what the caller saw. */
    private void awaitChange(long h, long t) {
        long v = version;
        for (int i = 0; i < SPIN_LIMIT; i++) {
            if (head != h || tail != t || version != v) {
                return;
            }
            Thread.onSpinWait();
        }
        waitLock.lock();
        try {
            parked++;
            // Looked at again after announcing ourselves: a change made before that is seen here, one made after
            // it signals us.
            if (head == h && tail == t && version == v) {
                changed.awaitNanos(MAX_PARK_NS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            parked--;
            waitLock.unlock();
        }
    }
}
