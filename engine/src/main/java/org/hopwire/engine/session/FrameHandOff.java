package org.hopwire.engine.session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.hopwire.engine.protocol.DataStreamDecoder;
import org.hopwire.engine.protocol.MediaFrame;

/**
 * Hands received frames from the one data-reader thread to one bounded queue and one delivery thread per borrowed
 * channel, so a slow consumer of one channel (video) cannot hold up another (audio).
 *
 * <p>The reader never blocks here: a full queue gives up a frame by the channel's {@link OverflowPolicy}. Each
 * channel's frames reach {@code deliver} in order, on that channel's own thread.
 */
final class FrameHandOff {
    /** How long {@link #close} and {@link #closeAll} wait for a consumer busy with its current frame. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private static final class Lane {
        final int channel;
        final int capacity;
        final OverflowPolicy policy;
        final ChannelStats stats;
        final ReentrantLock lock = new ReentrantLock();
        final Condition ready = lock.newCondition();
        final ArrayDeque<MediaFrame> queue;
        /** Guarded by lock; once set, nothing more is queued or delivered. */
        boolean closed;
        Thread thread;

        Lane(int channel, boolean audio, int capacity, ChannelStats stats) {
            this.channel = channel;
            this.capacity = capacity;
            this.policy = audio ? OverflowPolicy.AUDIO : OverflowPolicy.VIDEO;
            this.stats = stats;
            this.queue = new ArrayDeque<>(capacity);
        }
    }

    private final String label;
    private final Consumer<MediaFrame> deliver;
    private final Consumer<MediaFrame> recycle;
    private final Consumer<Throwable> onFailure;
    /** Indexed by channel, so the reader finds a lane without a shared lock. */
    private final AtomicReferenceArray<Lane> lanes = new AtomicReferenceArray<>(DataStreamDecoder.MAX_CHANNELS);
    /**
     * Delivery threads that may not have ended, including those of closed channels still finishing a frame; dead
     * ones are pruned when a channel opens, so reopening does not grow it.
     */
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /** Guarded by this; set by closeAll so that no lane opens after the sweep. */
    private boolean ended;

    /**
     * @param label     prefix of the thread names ({@code label + "-deliver-" + channel})
     * @param deliver   called with each frame, in order, on its channel's thread; owns the frame from then on
     * @param recycle   given each frame the hand-off gives up (overflow, close), so its buffer is reused
     * @param onFailure told when {@code deliver} throws; that channel has already been stopped
     */
    FrameHandOff(String label, Consumer<MediaFrame> deliver, Consumer<MediaFrame> recycle,
                 Consumer<Throwable> onFailure) {
        this.label = label;
        this.deliver = deliver;
        this.recycle = recycle;
        this.onFailure = onFailure;
    }

    /**
     * Opens a channel with its own queue and delivery thread. A channel still open is closed first (a new borrow of
     * the same number): its queued frames are recycled, and at most the frame it is delivering may overlap the new
     * borrow's first. False, and nothing started, once {@link #closeAll} has run.
     */
    boolean open(int channel, boolean audio, int capacity, ChannelStats stats) {
        if (channel < 0 || channel >= lanes.length()) {
            throw new IllegalArgumentException("channel ids run from 0 to " + (lanes.length() - 1));
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        Lane lane = new Lane(channel, audio, capacity, stats);
        Thread t = new Thread(() -> run(lane), label + "-deliver-" + channel);
        t.setDaemon(true);
        lane.thread = t;
        Lane old;
        synchronized (this) {
            if (ended) {
                return false;
            }
            old = lanes.getAndSet(channel, lane);
            if (old != null) {
                // Before the new thread starts, so the old borrow's queue is not delivered alongside the new one.
                stop(old);
            }
            threads.removeIf(d -> !d.isAlive());
            // Registered before it starts, so awaitThreads never misses it.
            threads.add(t);
            t.start();
        }
        if (old != null) {
            join(List.of(old), deadline());
        }
        return true;
    }

    /**
     * Queues a frame for its channel's thread; never blocks beyond the channel's short lock. A full queue gives up a
     * frame by the channel's policy, counted as a drop and recycled. False when the channel is not open: the caller
     * still owns the frame.
     */
    boolean offer(MediaFrame frame) {
        Lane lane = lanes.get(frame.channel());
        if (lane == null) {
            return false;
        }
        MediaFrame dropped = null;
        lane.lock.lock();
        try {
            if (lane.closed) {
                return false;
            }
            if (lane.queue.size() >= lane.capacity) {
                dropped = lane.policy.makeRoom(lane.queue);
            }
            lane.queue.addLast(frame);
            lane.ready.signal();
        } finally {
            lane.lock.unlock();
        }
        if (dropped != null) {
            // Outside the lock: the reader should hold it no longer than the queue operation.
            lane.stats.drop();
            recycle.accept(dropped);
        }
        return true;
    }

    /**
     * Closes a channel: its queued frames are recycled, not delivered; the frame being delivered now, if any, still
     * completes. Waits up to {@link #CLOSE_WAIT} for that, then lets the thread end on its own. False when the
     * channel was not open.
     */
    boolean close(int channel) {
        Lane lane = lanes.getAndSet(channel, null);
        if (lane == null) {
            return false;
        }
        stop(lane);
        join(List.of(lane), deadline());
        return true;
    }

    /** Closes every channel, for the session's end; later {@link #open} calls do nothing. */
    void closeAll() {
        synchronized (this) {
            ended = true;
        }
        List<Lane> closed = new ArrayList<>();
        for (int ch = 0; ch < lanes.length(); ch++) {
            Lane lane = lanes.getAndSet(ch, null);
            if (lane != null) {
                stop(lane);
                closed.add(lane);
            }
        }
        // One deadline for all: a session's end waits at most CLOSE_WAIT however many channels it had.
        join(closed, deadline());
    }

    /** Waits until every delivery thread has ended (terminated, not just left its loop), for leak tests. */
    boolean awaitThreads(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : List.copyOf(threads)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        threads.removeIf(t -> !t.isAlive());
        return threads.isEmpty();
    }

    private void run(Lane lane) {
        try {
            while (true) {
                MediaFrame frame;
                lane.lock.lock();
                try {
                    while (!lane.closed && lane.queue.isEmpty()) {
                        lane.ready.await();
                    }
                    if (lane.closed) {
                        return;
                    }
                    frame = lane.queue.pollFirst();
                } finally {
                    lane.lock.unlock();
                }
                try {
                    deliver.accept(frame);
                } catch (Throwable e) {
                    // The frame is not recycled: the consumer may still hold it, and a reused buffer would change
                    // under it. It is only collected.
                    fail(lane, e);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // Nothing here interrupts a delivery thread; if someone else does, the channel would go silent unseen.
            fail(lane, e);
        }
    }

    /** Stops a lane whose consumer failed, then reports it (the session may end itself, even from this thread). */
    private void fail(Lane lane, Throwable e) {
        lanes.compareAndSet(lane.channel, lane, null);
        stop(lane);
        onFailure.accept(e);
    }

    /** Marks a lane closed, wakes its thread and recycles what it had queued. */
    private void stop(Lane lane) {
        List<MediaFrame> queued;
        lane.lock.lock();
        try {
            lane.closed = true;
            queued = new ArrayList<>(lane.queue);
            lane.queue.clear();
            lane.ready.signal();
        } finally {
            lane.lock.unlock();
        }
        queued.forEach(recycle);
    }

    private static long deadline() {
        return System.nanoTime() + CLOSE_WAIT.toNanos();
    }

    /** Joins lanes' threads until the deadline; never the calling thread (a consumer may close its own channel). */
    private static void join(List<Lane> lanes, long deadline) {
        boolean interrupted = false;
        for (Lane lane : lanes) {
            if (lane.thread == Thread.currentThread()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                lane.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (interrupted) {
            // The close itself is done; only the wait is cut short.
            Thread.currentThread().interrupt();
        }
    }
}
