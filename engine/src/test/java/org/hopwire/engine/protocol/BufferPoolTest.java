package org.hopwire.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BufferPoolTest {
    @Test
    void shouldHandBackAReleasedBufferForTheSameSizeClass() {
        BufferPool pool = new BufferPool(1 << 20);
        ByteBuffer a = pool.acquire(5000);
        assertEquals(5000, a.limit());
        assertEquals(5120, a.capacity(), "rounded up to its class, a quarter step past 4 KiB");
        assertTrue(pool.release(a));
        ByteBuffer b = pool.acquire(4100);
        assertSame(a, b);
        assertEquals(0, b.position());
        assertEquals(4100, b.limit());
        assertTrue(pool.release(b));
        assertNotSame(a, pool.acquire(5121), "the next class up");
        assertEquals(6144, pool.acquire(5121).capacity());
    }

    @Test
    void shouldWasteAtMostAQuarterOfAFrameOver4KiB() {
        BufferPool pool = new BufferPool(0);
        Random random = new Random(7);
        double worst = 0;
        for (int shift = 12; shift < 30; shift++) {
            int base = 1 << shift;
            int quarter = base >> 2;
            for (int q = 0; q < 4; q++) {
                int start = base + q * quarter;
                for (int length : new int[] {start + 1, start + 24, start + quarter - 1, start + quarter,
                        start + 1 + random.nextInt(quarter)}) {
                    long footprint = pool.footprint(length);
                    assertTrue(footprint >= length, length + " fits");
                    assertTrue(footprint - length <= length / 4, length + " takes " + footprint);
                    assertEquals(start + quarter, footprint, length + " lands in its quarter step");
                    worst = Math.max(worst, (double) (footprint - length) / length);
                }
            }
        }
        assertTrue(worst <= 0.25, "worst waste " + worst);
        assertEquals(4096, pool.footprint(1), "nothing smaller than 4 KiB");
        assertEquals((1L << 30) + 1, pool.footprint((1 << 30) + 1), "past the largest class: its own length");
        ByteBuffer mac = pool.acquire((1 << 20) + 24);
        assertEquals(5 << 18, mac.capacity(), "1 MiB and a 24-byte tag take 1.25 MiB, not 2 MiB");
        assertEquals(pool.footprint((1 << 20) + 24), mac.capacity(), "footprint says what acquire gives");
        assertEquals(pool.footprint(100_000), pool.allocate(3, 100_000).capacity());
    }

    @Test
    void shouldKeepNoMoreThanItsBoundAndRefuseDoubleReleases() {
        BufferPool pool = new BufferPool(64 << 10);
        ByteBuffer big = pool.acquire(100_000);
        assertFalse(pool.release(big), "over the pool's bound: left to the collector");
        ByteBuffer small = pool.acquire(4096);
        assertTrue(pool.release(small));
        assertThrows(IllegalStateException.class, () -> pool.release(small));
        ByteBuffer quarter = pool.acquire(7000);
        assertTrue(pool.release(quarter));
        assertThrows(IllegalStateException.class, () -> pool.release(quarter), "a quarter-step class too");
        assertEquals(4096 + 7168, pool.pooledBytes());
    }

    @Test
    void shouldRecogniseExactlyItsClassSizes() {
        BufferPool pool = new BufferPool(1 << 20);
        assertFalse(pool.release(ByteBuffer.allocate(5000)), "not a pool size");
        assertFalse(pool.release(ByteBuffer.allocate(9000)), "not a pool size");
        assertFalse(pool.release(ByteBuffer.allocate(2048)), "under the smallest class");
        assertFalse(pool.release(ByteBuffer.allocateDirect(8192)), "direct: not one of ours");
        assertTrue(pool.release(ByteBuffer.allocate(12 << 10)), "12 KiB is a class");
        assertEquals(12 << 10, pool.acquire(11_000).capacity(), "and is handed out for what rounds to it");
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void shouldKeepAFewFreeBuffersPerClass() {
        BufferPool pool = new BufferPool(1 << 20);
        int n = BufferPool.PER_CLASS;
        ByteBuffer[] held = new ByteBuffer[n + 1];
        for (int i = 0; i < held.length; i++) {
            held[i] = pool.acquire(6000);
        }
        for (int i = 0; i < n; i++) {
            assertTrue(pool.release(held[i]));
        }
        assertFalse(pool.release(held[n]), n + " free per class at most");
        assertEquals(n * 6144L, pool.pooledBytes());
    }

    @Test
    void shouldGiveDirectBuffersFromADirectPoolAndTakeBackOnlyThose() {
        BufferPool pool = new BufferPool(1 << 20, true);
        ByteBuffer a = pool.acquire(5000);
        assertTrue(a.isDirect());
        assertFalse(pool.release(ByteBuffer.allocate(5120)), "a heap buffer is not one of a direct pool's");
        assertTrue(pool.release(a));
        assertSame(a, pool.acquire(5000));
        assertFalse(new BufferPool(1 << 20).release(ByteBuffer.allocateDirect(5120)), "nor the other way round");
    }

    @Test
    void shouldCountBuffersHandedOutUntilTheyComeBack() {
        BufferPool pool = new BufferPool(8 << 10);
        ByteBuffer a = pool.acquire(4096);
        ByteBuffer b = pool.acquire(4096);
        ByteBuffer c = pool.acquire(4096);
        assertEquals(3, pool.outstanding());
        assertTrue(pool.release(a));
        assertTrue(pool.release(b));
        assertFalse(pool.release(c), "the pool is full: not kept");
        assertEquals(0, pool.outstanding(), "but given back all the same");
        assertThrows(IllegalStateException.class, () -> pool.release(a));
        assertEquals(0, pool.outstanding(), "a second give-back does not count");
    }
}
