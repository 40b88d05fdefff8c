package org.hopwire.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class BufferPoolTest {
    @Test
    void shouldHandBackAReleasedBufferForTheSameSizeClass() {
        BufferPool pool = new BufferPool(1 << 20);
        ByteBuffer a = pool.acquire(5000);
        assertEquals(5000, a.limit());
        assertEquals(8192, a.capacity(), "rounded up to its power-of-two class");
        assertTrue(pool.release(a));
        ByteBuffer b = pool.acquire(7000);
        assertSame(a, b);
        assertEquals(0, b.position());
        assertEquals(7000, b.limit());
    }

    @Test
    void shouldKeepNoMoreThanItsBoundAndRefuseDoubleReleases() {
        BufferPool pool = new BufferPool(64 << 10);
        ByteBuffer big = pool.acquire(100_000);
        assertFalse(pool.release(big), "over the pool's bound: left to the collector");
        ByteBuffer small = pool.acquire(4096);
        assertTrue(pool.release(small));
        assertThrows(IllegalStateException.class, () -> pool.release(small));
        assertFalse(pool.release(ByteBuffer.allocate(5000)), "not a pool size");
        assertEquals(4096, pool.pooledBytes());
    }
}
