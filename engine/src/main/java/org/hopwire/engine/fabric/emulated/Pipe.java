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
 * <p>Data travels as DATA packets of at most 4 KiB, one per frame; the writer's last close may add a CLOSE frame.
 * Frames are one queue: the oldest {@code rx} of them sit in the reader's RX ring (its {@code ring_size} while its
 * device is open, none otherwise), the rest in the writer's TX ring, which holds at most {@code capacity} (its
 * {@code ring_size - 1}). That is the driver's end-to-end flow control: a write takes what fits and blocks only
 * while the TX ring is full. Reads take what has arrived, across frame boundaries, and stop before a CLOSE so the
 * data before it is read first.
 *
 * <p>Frames written while the reader has no RX ring are held in the TX ring (they arrive when it opens) or lost, as
 * {@link EmulatedWorld.EarlyData} says; when the reader's last close frees its RX ring, what was in it is gone. A
 * writer's last close counts frames that reached the RX ring as sent, and cancels those still in its TX ring after
 * the drain time.
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
    /**
     * Two packets were sent back to back when the second lands at most its own time on the wire after the first, give
     * or take this (the schedule's rounding); a larger gap means the wire was idle between them, or the writer paused.
     */
    private static final long BACK_TO_BACK_SLACK_NS = 1_000;
    /**
     * A reader waits for a run of at most this many bytes: 240 us on a 1.1 GB/s cable, long enough to park for, and
     * short enough that what it copies after a frame's last packet landed is little (with runs of a whole 1 MiB read,
     * a 1080p frame reached the borrower's session 0.45 ms later at p50 than with a wait for each packet).
     */
    static final int MAX_RUN_BYTES = 256 << 10;
    /**
     * The system property that makes a reader wait for each packet in turn (spinning between packets that land
     * microseconds apart), as it did before it waited for a run of them: for the media benchmark's before/after.
     */
    static final String PACKET_BY_PACKET = "hopwire.emulated.read-packet-by-packet";
    /** Whether a reader waits for each packet in turn ({@link #PACKET_BY_PACKET}); read when the pipe is made. */
    private final boolean packetByPacket = Boolean.getBoolean(PACKET_BY_PACKET);

    enum WriterState { NEVER_OPENED, OPEN, CLOSED }

    /** What a blocking read or write asks of the device it belongs to, on every pass. */
    interface Guard {
        /** Throws when the caller's channel closed or its thread was interrupted. */
        void check() throws IOException;

        /** The exception for a read or write on a connection that went away. */
        IOException linkDown(String reason);

        /**
         * Whether the connection came back after it broke: these rings are never restarted, so the caller waits for
         * good (until its channel closes) instead of failing.
         */
        boolean hung();

        /** Whether the stream's directory was removed while open: reads drain, then end. */
        boolean removed();

        /** Whether the caller never waits (a non-blocking file): {@link #beforeWaiting} then always throws. */
        default boolean nonBlocking() {
            return false;
        }

        /**
         * Called by a reader or writer that has to wait: a writer's throws ENXIO where the driver's writer would; a
         * non-blocking caller's throws instead of waiting.
         */
        void beforeWaiting() throws IOException;
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
    private final EmulatedWorld.EarlyData early;
    private volatile Ring ring;
    /** The TX window in frames. */
    private volatile int capacity;
    /** The reader's RX ring in frames while its device is open, else 0. */
    private volatile int rxFrames;

    private volatile long head;
    private volatile long tail;
    /** Bytes of the head frame already read; readers only. */
    private int headOffset;
    /** Whether the last frame read was a CLOSE. */
    private volatile boolean closeConsumed;

    private volatile WriterState writerState = WriterState.NEVER_OPENED;
    private volatile boolean readerOpen;
    private volatile String brokenReason;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition changed = waitLock.newCondition();
    private volatile int parked;
    private volatile long version;
    /** What {@link #onNextChange} asked to run at the next change. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> changeActions =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Packets still to be damaged on their way, as the hardware may (a CRC error or overrun it only logs). */
    private final java.util.concurrent.atomic.AtomicInteger toDamage = new java.util.concurrent.atomic.AtomicInteger();

    Pipe(LinkSchedule schedule, int ringSize, EmulatedWorld.EarlyData early) {
        this.schedule = schedule;
        this.early = early;
        this.capacity = window(ringSize);
        this.ring = newRing(capacity);
    }

    /** The TX window of a ring of {@code ringSize} frames: one frame is always kept free, as in the driver. */
    static int window(int ringSize) {
        return ringSize - 1;
    }

    /**
     * Slots for a TX window, an RX ring of the same size (the two ends of a stream normally share a ring size; a
     * larger RX ring is used up to this), and a CLOSE.
     */
    private Ring newRing(int window) {
        return new Ring(2 * window + 2, schedule != null);
    }

    /** The frames of the queue that sit in the RX ring, at most. */
    private int rx(Ring r) {
        return Math.min(rxFrames, r.frames.length - capacity - 1);
    }

    /** Free frames in the TX ring, with {@code h}..{@code t} queued. */
    private long free(Ring r, long h, long t) {
        return capacity - Math.max(0, t - h - rx(r));
    }

    // ---- the two ends' lifecycle --------------------------------------------------------------------------------

    /** The writer's device was opened (first open): its ring size becomes the window. */
    void writerOpened(int ringSize) {
        writeLock.lock();
        try {
            capacity = window(ringSize);
            if (head == tail && ring.frames.length != 2 * capacity + 2) {
                ring = newRing(capacity);
            }
            writerState = WriterState.OPEN;
        } finally {
            writeLock.unlock();
        }
        wake();
    }

    /**
     * The writer's last close, first half: queues a CLOSE after the data only if the TX ring has a free frame (else
     * none is sent, silently, as the driver does) and {@code mayClose} (false when a file's close already found the
     * ring full, or cancelled the CLOSE with the tail). Returns the sequence the peer's reader must pass for
     * everything sent to have arrived.
     */
    long writerClosing(boolean mayClose) {
        writeLock.lock();
        try {
            long t = tail;
            Ring r = ring;
            if (mayClose && brokenReason == null && free(r, head, t) > 0) {
                int i = slot(r, t);
                r.lengths[i] = CLOSE;
                if (r.arrivalNs != null) {
                    long start = schedule.reserve(0);
                    r.arrivalNs[i] = schedule.arrivalNs(start, 0);
                }
                t++;
                tail = t;
            }
            writerState = WriterState.CLOSED;
            return t;
        } finally {
            writeLock.unlock();
            wake();
        }
    }

    /**
     * The writer's last close, second half: waits up to {@code timeoutNs} until everything up to {@code sequence}
     * left the TX ring (reached the reader's RX ring, or was read), then cancels what is still in the TX ring (a
     * reader that far behind loses the tail). Returns whether everything was sent.
     */
    boolean drainThenCancel(long sequence, long timeoutNs) {
        if (awaitSent(sequence, timeoutNs) || brokenReason != null) {
            return sent(sequence);
        }
        cancelQueued();
        return false;
    }

    /**
     * Waits up to {@code timeoutNs} until what is queued now has left the TX ring, cancelling nothing; returns whether
     * it has.
     */
    boolean awaitSent(long timeoutNs) {
        return awaitSent(tail, timeoutNs);
    }

    /** Waits up to {@code timeoutNs} until everything up to {@code sequence} has left the TX ring, or the link broke. */
    private boolean awaitSent(long sequence, long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        while (!sent(sequence) && brokenReason == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            waitLock.lock();
            try {
                parked++;
                if (!sent(sequence) && brokenReason == null) {
                    changed.awaitNanos(Math.min(left, MAX_PARK_NS));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return sent(sequence);
            } finally {
                parked--;
                waitLock.unlock();
            }
        }
        return sent(sequence);
    }

    private boolean sent(long sequence) {
        return sequence <= head + rx(ring);
    }

    /** The reader's first open: its RX ring of {@code ringSize} frames exists from now on; what was held arrives. */
    void readerOpened(int ringSize) {
        rxFrames = ringSize;
        readerOpen = true;
        closeConsumed = false;
        wake();
    }

    /** The reader's last close: its RX ring is freed with whatever was in it; the TX ring keeps its frames. */
    void readerClosed() {
        readerOpen = false;
        if (lock(readLock)) {
            try {
                head = Math.min(tail, head + rx(ring));
                headOffset = 0;
            } finally {
                readLock.unlock();
            }
        }
        rxFrames = 0;
        closeConsumed = false;
        wake();
    }

    /** Whether a local read has consumed the peer's CLOSE (and nothing was read since). */
    boolean closeConsumed() {
        return closeConsumed;
    }

    /** The link went away: every blocked and later read and write fails (or hangs, see {@link Guard#hung}). */
    void breakLink(String reason) {
        brokenReason = reason;
        wake();
    }

    /** Drops everything queued, in both rings, as a suspend does: the byte stream gets a hole. */
    void dropQueued() {
        if (lock(readLock)) {
            try {
                head = tail;
                headOffset = 0;
            } finally {
                readLock.unlock();
            }
        }
        wake();
    }

    /** Removes the frames still in the TX ring; those that reached the RX ring stay to be read. */
    void cancelQueued() {
        if (lock(writeLock)) {
            try {
                tail = Math.max(head, Math.min(tail, head + rx(ring)));
            } finally {
                writeLock.unlock();
            }
        }
        wake();
    }

    /**
     * Takes one side's lock, to change its end of the queue from outside (head belongs to readers, tail to writers);
     * false when a reader or writer keeps it (it wakes at least every 50 ms to look at its guard, and a closing one
     * lets go), so the change is left out rather than waited for without a bound.
     */
    private static boolean lock(ReentrantLock lock) {
        try {
            return lock.tryLock(4 * MAX_PARK_NS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Damages the next {@code packets} DATA packets: one byte each is changed, and they are delivered anyway. */
    void damage(int packets) {
        toDamage.addAndGet(packets);
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

    /**
     * Reads what has arrived, blocking until something has; -1 when the writer's CLOSE was consumed (and again until
     * the writer opens anew), or once the reader's stream was removed and nothing is left.
     */
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
                    if (!guard.hung()) {
                        throw guard.linkDown(brokenReason);
                    }
                    guard.beforeWaiting();
                    awaitChange(head, tail);
                    continue;
                }
                long h = head;
                long t = tail;
                if (h != t) {
                    Ring r = ring;
                    if (!packetByPacket && r.arrivalNs != null && headOffset == 0 && !guard.nonBlocking()) {
                        // A blocking reader takes a run of packets once its last landed (see runArrival).
                        long until = runArrival(r, h, t, Math.min(dst.remaining(), MAX_RUN_BYTES));
                        if (until - System.nanoTime() > 0) {
                            guard.beforeWaiting();
                            waitUntil(until, guard);
                            continue;
                        }
                    }
                    int n = take(r, dst, h, t);
                    if (n != 0) {
                        return n;
                    }
                    // The head packet is still on the wire.
                    guard.beforeWaiting();
                    waitUntil(r.arrivalNs[slot(r, h)], guard);
                    continue;
                }
                if (closeConsumed && writerState == WriterState.CLOSED) {
                    return -1;
                }
                if (guard.removed()) {
                    return -1;
                }
                guard.beforeWaiting();
                awaitChange(h, t);
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * When the last packet lands of the run that starts at the head: the packets queued behind it that were sent back
     * to back with it ({@link #BACK_TO_BACK_SLACK_NS}) and fit in {@code room} bytes. A reader waits for that one and takes
     * the run at once, parked, rather than spinning for each packet in turn (on a 1.1 GB/s cable a 4 KiB packet lands
     * every 3.7 us, too soon to park for: a reader of a video stream spun for most of its frames' time on the wire).
     * The packets still arrive when the cable's rate says; a reader sees the first ones of a run later, but the run's
     * last as soon as it lands, and a message (a frame) is of use only once its last byte is there.
     */
    private long runArrival(Ring r, long h, long t, int room) {
        if (h == t) {
            return -1;
        }
        int i = slot(r, h);
        long arrival = r.arrivalNs[i];
        int len = r.lengths[i];
        long bytes = len == CLOSE ? 0 : len - headOffset;
        for (long j = h + 1; j < t; j++) {
            int k = slot(r, j);
            len = r.lengths[k];
            if (len == CLOSE || bytes + len > room
                    || r.arrivalNs[k] - arrival > schedule.wireNs(len) + BACK_TO_BACK_SLACK_NS) {
                break;
            }
            bytes += len;
            arrival = r.arrivalNs[k];
        }
        return arrival;
    }

    /** {@link #runArrival} of what is queued now, for a reader with {@code room} bytes; -1 when nothing is. */
    long runArrival(int room) {
        return runArrival(ring, head, tail, room);
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
                closeConsumed = true;
                head = h + 1;
                signalIfParked();
                return -1;
            }
            int k = Math.min(len - headOffset, dst.remaining());
            dst.put(r.frames[i], headOffset, k);
            n += k;
            closeConsumed = false;
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
                    if (!guard.hung()) {
                        throw guard.linkDown(brokenReason);
                    }
                    guard.beforeWaiting();
                    awaitChange(head, tail);
                    continue;
                }
                if (!src.hasRemaining()) {
                    return 0;
                }
                long h = head;
                long t = tail;
                Ring r = ring;
                if (h == t && r.frames.length != 2 * capacity + 2) {
                    r = newRing(capacity);
                    ring = r;
                }
                long free = free(r, h, t);
                if (free > 0) {
                    if (!readerOpen && early == EmulatedWorld.EarlyData.LOST) {
                        // No RX ring on the other end: the frames leave the TX ring and are dropped on arrival.
                        int lost = (int) Math.min(src.remaining(), free * Usb4Stream.MAX_PACKET_BYTES);
                        src.position(src.position() + lost);
                        return lost;
                    }
                    return put(r, src, t, free);
                }
                guard.beforeWaiting();
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
            if (toDamage.get() > 0 && toDamage.getAndDecrement() > 0) {
                frame[len / 2] ^= 0x5a;
            }
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

    /** Waits up to {@code timeoutNs} until the TX ring has a free frame, or the link broke; returns whether it has. */
    boolean awaitRoom(long timeoutNs, Guard guard) throws IOException {
        long deadline = System.nanoTime() + timeoutNs;
        while (true) {
            guard.check();
            long h = head;
            long t = tail;
            if (free(ring, h, t) > 0 || (!readerOpen && early == EmulatedWorld.EarlyData.LOST)) {
                return brokenReason == null;
            }
            if (brokenReason != null || System.nanoTime() - deadline >= 0) {
                return false;
            }
            awaitChange(h, t);
        }
    }

    /** Whether a packet (data or CLOSE) has arrived in the RX ring: what makes the device readable in poll(2). */
    boolean hasArrived() {
        long h = head;
        if (h == tail) {
            return false;
        }
        Ring r = ring;
        return r.arrivalNs == null || r.arrivalNs[slot(r, h)] - System.nanoTime() <= 0;
    }

    /** Whether a write would take something now: what makes the device writable in poll(2). */
    boolean hasRoom() {
        return free(ring, head, tail) > 0 || (!readerOpen && early == EmulatedWorld.EarlyData.LOST);
    }

    /** Whether the link under this pipe broke. */
    boolean broken() {
        return brokenReason != null;
    }

    /**
     * How long until the oldest queued packet lands in the RX ring: -1 with nothing queued, 0 when it has landed; on
     * a throttled cable a packet is readable only from its arrival time, which no state change announces.
     */
    long nanosUntilArrival() {
        long h = head;
        if (h == tail) {
            return -1;
        }
        Ring r = ring;
        return r.arrivalNs == null ? 0 : Math.max(0, r.arrivalNs[slot(r, h)] - System.nanoTime());
    }

    /**
     * Runs {@code action} once, at the next change of this pipe (a packet queued or taken, a side opened or closed,
     * the link broken), on the thread that makes it: how a poller learns it should look again without a thread
     * waiting for it. It must be quick and must not call back into this pipe.
     */
    void onNextChange(Runnable action) {
        changeActions.add(action);
    }

    // ---- waiting -----------------------------------------------------------------------------------------------

    /** Takes a side's lock, still answering closes and unplugs while another reader or writer holds it. */
    private static void acquire(ReentrantLock lock, Guard guard) throws IOException {
        if (guard.nonBlocking() && !lock.tryLock()) {
            guard.beforeWaiting(); // another reader or writer is inside: a non-blocking call does not wait for it
        }
        while (true) {
            if (lock.isHeldByCurrentThread()) {
                return;
            }
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
        if (!changeActions.isEmpty()) {
            Runnable action;
            while ((action = changeActions.poll()) != null) {
                action.run();
            }
        }
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
