package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Frame buffers to reuse, so a steady stream of frames allocates nothing: power-of-two size classes from 4 KiB,
 * each keeping a few free buffers, and never more than {@code maxPooledBytes} held in all.
 *
 * <p>A buffer that is never given back is simply collected; giving back one that did not come from here, or one
 * twice, is the caller's bug and is refused.
 */
public final class BufferPool {
    private static final int MIN_SHIFT = 12;
    private static final int CLASSES = 31 - MIN_SHIFT;
    /** Four free buffers per size class cover a frame being read, one being shown and two queued. */
    private static final int PER_CLASS = 4;

    private final long maxPooledBytes;
    private final ArrayDeque<ByteBuffer>[] free;
    private long pooledBytes;

    @SuppressWarnings("unchecked")
    public BufferPool(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
        this.free = new ArrayDeque[CLASSES];
        for (int i = 0; i < CLASSES; i++) {
            free[i] = new ArrayDeque<>(PER_CLASS);
        }
    }

    private static int sizeClass(int length) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, length) - 1));
        return shift - MIN_SHIFT;
    }

    /** A buffer whose limit is {@code length}, position 0; its capacity may be larger. */
    public ByteBuffer acquire(int length) {
        int c = sizeClass(length);
        ByteBuffer b = null;
        synchronized (this) {
            if (c < CLASSES) {
                b = free[c].pollFirst();
                if (b != null) {
                    pooledBytes -= b.capacity();
                }
            }
        }
        if (b == null) {
            b = ByteBuffer.allocate(c < CLASSES ? 1 << (c + MIN_SHIFT) : length);
        }
        return b.clear().limit(length);
    }

    /** Gives a buffer back; returns whether it was kept (false when the pool is full or it is not a pool size). */
    public boolean release(ByteBuffer buffer) {
        int capacity = buffer.capacity();
        if (Integer.bitCount(capacity) != 1 || capacity < (1 << MIN_SHIFT) || buffer.isDirect()) {
            return false;
        }
        int c = sizeClass(capacity);
        synchronized (this) {
            if (c >= CLASSES || free[c].size() >= PER_CLASS || pooledBytes + capacity > maxPooledBytes) {
                return false;
            }
            for (ByteBuffer b : free[c]) {
                if (b == buffer) {
                    throw new IllegalStateException("this buffer was given back twice");
                }
            }
            free[c].addLast(buffer);
            pooledBytes += capacity;
            return true;
        }
    }

    /** Bytes held in free buffers now. */
    public synchronized long pooledBytes() {
        return pooledBytes;
    }
}
