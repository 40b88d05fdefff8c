package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Frame buffers to reuse, so a steady stream of frames allocates nothing: size classes from 4 KiB to 1 GiB, four per
 * power of two (5, 6, 7 and 8 KiB, then 10, 12, 14 and 16 KiB, ...), each keeping a few free buffers, and never more
 * than {@code maxPooledBytes} held in all. Rounding up to a class wastes at most a quarter of a frame over 4 KiB
 * (a frame of 1 MiB + 24 bytes takes 1.25 MiB, not 2 MiB); frames over 1 GiB get buffers of their own length.
 *
 * <p>A buffer that is never given back is simply collected; giving back one that did not come from here, or one
 * twice, is the caller's bug and is refused.
 *
 * <p>A pool gives heap or direct buffers, never both ({@link #direct}): direct ones can be handed to native code
 * (GStreamer) without a copy, and AES-GCM seals and opens them at the intrinsic's speed, where on JDK 17 a heap
 * {@code ByteBuffer} took 40 ms a 1080p frame.
 *
 * <p>As the decoder's {@link DataStreamDecoder.Allocator}, it tells the decoder what a frame really takes
 * ({@link #footprint}), so the reassembly bound counts the rounded sizes.
 */
public final class BufferPool implements DataStreamDecoder.Allocator {
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 30;
    /** Classes per power of two: quarter steps, so rounding adds at most 25 % where halves would add 50 %. */
    private static final int STEPS_SHIFT = 2;
    private static final int STEPS = 1 << STEPS_SHIFT;
    private static final int CLASSES = 1 + STEPS * (MAX_SHIFT - MIN_SHIFT);
    /** Each class's buffer capacity: a table, so acquire and release only look up. */
    private static final int[] SIZES = new int[CLASSES];
    /**
     * Free buffers kept per size class: a borrowed channel's hand-off queue (8 video frames by default, up to 64
     * audio packets) plus the frame being read and the one being shown come back in bursts; 32 keep a steady stream
     * from allocating. {@code maxPooledBytes} bounds the memory whatever this says.
     */
    static final int PER_CLASS = 32;

    static {
        SIZES[0] = 1 << MIN_SHIFT;
        for (int c = 1; c < CLASSES; c++) {
            int shift = MIN_SHIFT + (c - 1) / STEPS;
            int step = (c - 1) % STEPS + 1;
            SIZES[c] = (STEPS + step) << (shift - STEPS_SHIFT);
        }
    }

    private final long maxPooledBytes;
    private final boolean direct;
    private final ArrayDeque<ByteBuffer>[] free;
    private long pooledBytes;
    /** Buffers handed out and not given back yet (also those the pool then did not keep). */
    private long outstanding;

    /** A pool of heap buffers. */
    public BufferPool(long maxPooledBytes) {
        this(maxPooledBytes, false);
    }

    /** A pool of direct buffers ({@code direct}) or heap ones, keeping at most {@code maxPooledBytes} free. */
    @SuppressWarnings("unchecked")
    public BufferPool(long maxPooledBytes, boolean direct) {
        this.maxPooledBytes = maxPooledBytes;
        this.direct = direct;
        this.free = new ArrayDeque[CLASSES];
        for (int i = 0; i < CLASSES; i++) {
            free[i] = new ArrayDeque<>(PER_CLASS);
        }
    }

    /** The smallest class holding {@code length} bytes; {@code CLASSES} or more past the largest. */
    private static int sizeClass(int length) {
        if (length <= 1 << MIN_SHIFT) {
            return 0;
        }
        // 2^shift < length <= 2^(shift+1); then which quarter of that span it reaches into.
        int shift = 31 - Integer.numberOfLeadingZeros(length - 1);
        int step = ((length - 1 - (1 << shift)) >>> (shift - STEPS_SHIFT)) + 1;
        return STEPS * (shift - MIN_SHIFT) + step;
    }

    /** The capacity of the buffer {@link #acquire} gives for {@code length} bytes, before it is allocated. */
    @Override
    public long footprint(int length) {
        int c = sizeClass(length);
        return c < CLASSES ? SIZES[c] : length;
    }

    /** A buffer whose limit is {@code length}, position 0; its capacity is {@link #footprint}. */
    public ByteBuffer acquire(int length) {
        int c = sizeClass(length);
        ByteBuffer b = null;
        synchronized (this) {
            outstanding++;
            if (c < CLASSES) {
                b = free[c].pollFirst();
                if (b != null) {
                    pooledBytes -= b.capacity();
                }
            }
        }
        if (b == null) {
            int capacity = c < CLASSES ? SIZES[c] : length;
            b = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        }
        return b.clear().limit(length);
    }

    /** The decoder's allocator: a pool buffer, whatever the channel. */
    @Override
    public ByteBuffer allocate(int channel, int length) {
        return acquire(length);
    }

    /** The decoder's give-back of a frame it will not hand on. */
    @Override
    public void free(ByteBuffer buffer) {
        release(buffer);
    }

    /** Gives a buffer back; returns whether it was kept (false when the pool is full or it is not a pool size). */
    public boolean release(ByteBuffer buffer) {
        int capacity = buffer.capacity();
        int c = sizeClass(capacity);
        // Only exactly a class size can be one of ours; anything else would be handed out for the wrong lengths.
        if (c >= CLASSES || SIZES[c] != capacity || buffer.isDirect() != direct) {
            return false;
        }
        synchronized (this) {
            for (ByteBuffer b : free[c]) {
                if (b == buffer) {
                    throw new IllegalStateException("this buffer was given back twice");
                }
            }
            outstanding--;
            if (free[c].size() >= PER_CLASS || pooledBytes + capacity > maxPooledBytes) {
                return false;
            }
            free[c].addLast(buffer);
            pooledBytes += capacity;
            return true;
        }
    }

    /** Whether this pool gives direct buffers. */
    public boolean direct() {
        return direct;
    }

    /**
     * Buffers acquired and not released yet (a buffer of a pool size and kind given back counts as returned even
     * when the pool was full and let it go): what consumers still hold, for leak checks.
     */
    public synchronized long outstanding() {
        return outstanding;
    }

    /** Bytes held in free buffers now. */
    public synchronized long pooledBytes() {
        return pooledBytes;
    }
}
