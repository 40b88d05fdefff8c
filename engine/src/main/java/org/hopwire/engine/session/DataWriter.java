package org.hopwire.engine.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.FrameFragmenter;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.MediaFrame;

/**
 * The one thread that writes the data stream: takes frames from bounded per-channel queues, cuts them into
 * fragments, interleaves channels (audio first, then round robin) and gathers fragments into writes of up to the
 * batch size. When only one fragment is waiting it is written at once, so an idle link adds no delay.
 *
 * <p>Once the session is authenticated each frame is sealed ({@link FrameSeal}) into a buffer of its lane as it
 * starts, and is given back to its owner at once; the fragments are cut from the sealed copy. Every frame accepted by
 * {@link #offer} is given back exactly once: sent, dropped by flow control, or discarded when its channel closes or
 * the writer stops, also when it was half sent.
 */
final class DataWriter {
    private static final boolean[] AUDIO_FIRST = {true, false};

    private static final class Lane {
        final int channel;
        final boolean audio;
        final int capacity;
        final OverflowPolicy policy;
        final ArrayDeque<MediaFrame> queue = new ArrayDeque<>();
        final FrameFragmenter fragmenter = new FrameFragmenter();
        final ChannelStats stats;
        /** The frame being fragmented; the app's own, or {@link #sealed} (the writer's) when sealing. */
        MediaFrame current;
        /** Payload bytes of the current frame before sealing, for the statistics. */
        int currentBytes;
        /** Where a sealed copy of the current frame is made; grows to the largest frame, reused. */
        ByteBuffer scratch;
        MediaFrame sealed;
        /** The current frame's sealing while it is sealed piece by piece, else null. */
        FrameSeal.Sealing sealing;
        /** The app's frame being sealed piece by piece: given back once its sealing is done (or the lane closes). */
        MediaFrame sealingFrom;
        /** Frames queue but are not sent until the borrower has said it reads the channel. */
        boolean started;

        Lane(int channel, boolean audio, int capacity, ChannelStats stats) {
            this.channel = channel;
            this.audio = audio;
            this.capacity = capacity;
            this.policy = audio ? OverflowPolicy.AUDIO : OverflowPolicy.VIDEO;
            this.stats = stats;
        }

        boolean pending() {
            return started && (fragmenter.hasMore() || !queue.isEmpty());
        }
    }

    private final StreamChannel channel;
    private final boolean crc;
    private final ByteBuffer batch;
    private final Consumer<IOException> onFailure;
    /** Told of every frame the writer is done with (copied out, dropped or discarded), so its buffer can be reused. */
    private final Consumer<MediaFrame> done;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Map<Integer, Lane> lanes = new TreeMap<>();
    private int lastChannel = -1;
    private boolean stopped;
    private FrameSeal seal;
    private final Thread thread;
    /** The sealing under way piece by piece, one at a time (the writer's thread only). */
    private FrameSeal.Sealing piecewise;
    /**
     * The system property that makes the writer seal each frame whole before its first fragment leaves, as it did
     * before it sealed piece by piece: for the media benchmark's before/after. Read when the writer is made.
     */
    static final String SEAL_WHOLE = "hopwire.data.seal-whole";
    private final boolean sealWhole = Boolean.getBoolean(SEAL_WHOLE);

    private final ChannelStats streamStats;

    DataWriter(StreamChannel channel, boolean crc, int batchBytes, String name, ChannelStats streamStats,
               Consumer<IOException> onFailure, Consumer<MediaFrame> done) {
        this.done = done;
        this.channel = channel;
        this.streamStats = streamStats;
        this.crc = crc;
        this.batch = ByteBuffer.allocate(batchBytes);
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Seals every frame that starts from now on: set when the session is authenticated, before frames flow. */
    void seal(FrameSeal frameSeal) {
        lock.lock();
        try {
            this.seal = frameSeal;
        } finally {
            lock.unlock();
        }
    }

    void open(int ch, boolean audio, int capacity, ChannelStats stats) {
        lock.lock();
        try {
            lanes.put(ch, new Lane(ch, audio, capacity, stats));
        } finally {
            lock.unlock();
        }
    }

    /** Lets a channel's queued and later frames go out. */
    void start(int ch) {
        lock.lock();
        try {
            Lane lane = lanes.get(ch);
            if (lane != null) {
                lane.started = true;
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops a channel: queued frames are dropped; a frame half sent is cut off (the receiver ends the channel). */
    void close(int ch) {
        lock.lock();
        try {
            Lane lane = lanes.remove(ch);
            if (lane != null) {
                discard(lane);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues a frame; a full queue gives up a frame as its policy says. False when the channel is not open. */
    boolean offer(MediaFrame frame) {
        lock.lock();
        try {
            Lane lane = lanes.get(frame.channel());
            if (lane == null || stopped) {
                return false;
            }
            if (lane.queue.size() >= lane.capacity) {
                done.accept(lane.policy.makeRoom(lane.queue));
                lane.stats.drop();
            }
            lane.queue.addLast(frame);
            work.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a lane's queued frames and its half-sent one (unless already given back when it was sealed). */
    private void discard(Lane lane) {
        lane.queue.forEach(done);
        lane.queue.clear();
        if (lane.current != null && lane.current != lane.sealed) {
            done.accept(lane.current);
        }
        lane.current = null;
        if (lane.sealing != null) {
            lane.sealing.abandon();
            lane.sealing = null;
        }
        if (lane.sealingFrom != null) {
            done.accept(lane.sealingFrom);
            lane.sealingFrom = null;
        }
    }

    /** Ends the writer: nothing more is written, and every frame it still holds is given back. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            for (Lane lane : lanes.values()) {
                discard(lane);
            }
            lanes.clear();
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    private void run() {
        try {
            while (true) {
                Lane toSeal;
                MediaFrame frame = null;
                FrameSeal frameSeal = null;
                lock.lock();
                try {
                    while (!stopped && !anyPending()) {
                        work.await();
                    }
                    if (stopped) {
                        return;
                    }
                    toSeal = fill();
                    if (toSeal != null && batch.position() == 0) {
                        frame = toSeal.queue.pollFirst();
                        frameSeal = seal;
                    }
                } finally {
                    lock.unlock();
                }
                if (frame != null) {
                    // Sealed without the lock: a whole frame's AES-GCM (3 ms for a 4K one) would otherwise hold up
                    // every offer, the capture thread's and the microphone's, that long.
                    sealOutsideLock(toSeal, frame, frameSeal);
                    continue;
                }
                if (batch.position() == 0) {
                    continue; // a lane's next frame is to be sealed first (the batch had data before)
                }
                batch.flip();
                streamStats.frame(batch.remaining());
                channel.writeFully(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            onFailure.accept(e);
        }
    }

    private boolean anyPending() {
        for (Lane l : lanes.values()) {
            if (l.pending()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fragments into the batch until it is full or nothing is waiting; when sealing, stops at a lane whose next frame
     * must be sealed first and returns it (the caller seals it without the lock), else null. Caller holds the lock.
     */
    private Lane fill() {
        while (true) {
            Lane lane = next();
            if (lane == null) {
                return null;
            }
            if (!lane.fragmenter.hasMore()) {
                if (seal != null) {
                    return lane;
                }
                begin(lane, lane.queue.pollFirst());
            }
            if (lane.sealing != null) {
                // Sealed just ahead of the fragment cut next (at most 64 KiB: a few microseconds under the lock).
                lane.sealing.sealTo(lane.fragmenter.sent() + Math.min(
                        FragmentHeader.MAX_FRAGMENT_PAYLOAD, Math.max(0, batch.remaining() - FragmentHeader.LENGTH)));
                if (lane.sealing.done()) {
                    lane.sealing = null;
                    done.accept(lane.sealingFrom);
                    lane.sealingFrom = null;
                }
            }
            int n = lane.fragmenter.writeNext(batch);
            if (n == 0) {
                return null;
            }
            lane.stats.fragments(1);
            streamStats.fragments(1);
            if (!lane.fragmenter.hasMore()) {
                lane.stats.frame(lane.currentBytes);
                if (lane.current != lane.sealed) {
                    // The fragmenter has copied the payload into the batch: the frame is no longer needed.
                    done.accept(lane.current);
                }
                lane.current = null;
            }
            lastChannel = lane.channel;
        }
    }

    /**
     * Seals a frame taken from its lane's queue into the lane's scratch buffer (only this thread touches it), then,
     * under the lock, makes it the lane's current frame and gives the app's frame back; when the lane closed or the
     * writer stopped meanwhile, the frame is given back and nothing is sent. Caller does not hold the lock.
     */
    private void sealOutsideLock(Lane lane, MediaFrame frame, FrameSeal frameSeal) {
        int need = frameSeal.sealedLength(frame.payload().remaining());
        if (lane.scratch == null || lane.scratch.capacity() < need) {
            lane.scratch = ByteBuffer.allocateDirect(need + (need >> 3));
        }
        lane.scratch.clear();
        // Piece by piece while no other frame is (a frame of another lane meanwhile, the microphone's, is sealed
        // whole): its fragments leave as they are sealed, instead of after the whole frame's AES-GCM.
        boolean free = !sealWhole && (piecewise == null || piecewise.done() || piecewise.abandoned());
        FrameSeal.Sealing sealing;
        if (free) {
            sealing = frameSeal.beginSealing(frame, lane.scratch);
            piecewise = sealing;
        } else {
            frameSeal.seal(frame, lane.scratch);
            sealing = null;
        }
        lock.lock();
        try {
            if (stopped || lanes.get(lane.channel) != lane) {
                if (sealing != null) {
                    sealing.abandon();
                }
                done.accept(frame);
                return;
            }
            lane.currentBytes = frame.payload().remaining();
            MediaFrame copy = lane.sealed == null
                    ? new MediaFrame(frame.channel(), frame.sequence(), frame.pts(), frame.dts(), frame.duration(),
                            frame.bufferFlags(), lane.scratch)
                    : lane.sealed.reuse(frame.channel(), frame.sequence(), frame.pts(), frame.dts(),
                            frame.duration(), frame.bufferFlags(), lane.scratch);
            copy.capsVersion(frame.capsVersion());
            lane.sealed = copy;
            lane.current = copy;
            if (sealing == null || sealing.done()) {
                done.accept(frame);
            } else {
                lane.sealing = sealing;
                lane.sealingFrom = frame;
            }
            lane.fragmenter.start(copy, false, frameSeal.fragmentFlags());
        } finally {
            lock.unlock();
        }
    }

    /** Starts fragmenting {@code frame}: as it is, or sealed into the lane's scratch buffer. Caller holds the lock. */
    private void begin(Lane lane, MediaFrame frame) {
        lane.currentBytes = frame.payload().remaining();
        if (seal == null) {
            lane.current = frame;
            lane.fragmenter.start(frame, crc);
            return;
        }
        int need = seal.sealedLength(lane.currentBytes);
        if (lane.scratch == null || lane.scratch.capacity() < need) {
            // Direct: AES-GCM into a direct buffer runs at the intrinsic's speed (FrameSeal.seal); some room for the
            // next, slightly larger frame.
            lane.scratch = ByteBuffer.allocateDirect(need + (need >> 3));
        }
        lane.scratch.clear();
        seal.seal(frame, lane.scratch);
        MediaFrame copy = lane.sealed == null
                ? new MediaFrame(frame.channel(), frame.sequence(), frame.pts(), frame.dts(), frame.duration(),
                        frame.bufferFlags(), lane.scratch)
                : lane.sealed.reuse(frame.channel(), frame.sequence(), frame.pts(), frame.dts(), frame.duration(),
                        frame.bufferFlags(), lane.scratch);
        copy.capsVersion(frame.capsVersion());
        lane.sealed = copy;
        lane.current = copy;
        // The sealed copy holds the bytes now: the app may reuse its buffer at once.
        done.accept(frame);
        // The tag protects the frame; a CRC on top would only cost time.
        lane.fragmenter.start(copy, false, seal.fragmentFlags());
    }

    /** The next lane to send a fragment of: audio before video, round robin among equals. */
    private Lane next() {
        Lane best = null;
        for (boolean audio : AUDIO_FIRST) {
            for (Lane l : lanes.values()) {
                if (l.audio == audio && l.pending()) {
                    if (best == null || (best.channel <= lastChannel && l.channel > lastChannel)) {
                        best = l;
                    }
                }
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }
}
