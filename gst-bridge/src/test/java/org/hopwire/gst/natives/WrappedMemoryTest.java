package org.hopwire.gst.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.BufferFlags;
import org.freedesktop.gstreamer.glib.Natives;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.GstRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GStreamer reads the wrapped bytes where they are, and their owner hears once, when GStreamer frees them. */
class WrappedMemoryTest {
    @BeforeAll
    static void gstreamer() throws Exception {
        GstAssume.installed();
        GstRuntime.init();
    }

    @Test
    void shouldShowGStreamerTheBytesFromPositionToLimitWithTimestampAndFlags() {
        ByteBuffer memory = ByteBuffer.allocateDirect(100);
        for (int i = 0; i < 100; i++) {
            memory.put(i, (byte) i);
        }
        memory.position(8).limit(90);
        AtomicInteger freed = new AtomicInteger();
        Object owner = new Object();
        Pointer raw = WrappedMemory.wrap(memory, 123_456_789L, 16_666_666L,
                WrappedMemory.FLAG_DELTA_UNIT | WrappedMemory.FLAG_DISCONT, owner,
                o -> freed.addAndGet(o == owner ? 1 : 1000));
        assertNotNull(raw);
        Buffer buffer = Natives.callerOwnsReturn(raw, Buffer.class);
        assertEquals(123_456_789L, buffer.getPresentationTimestamp());
        assertEquals(16_666_666L, buffer.getDuration());
        EnumSet<BufferFlags> flags = buffer.getFlags();
        assertTrue(flags.contains(BufferFlags.DELTA_UNIT), flags.toString());
        assertTrue(flags.contains(BufferFlags.DISCONT), flags.toString());
        ByteBuffer seen = buffer.map(false);
        assertEquals(82, seen.remaining());
        for (int i = 0; i < 82; i++) {
            assertEquals((byte) (i + 8), seen.get(seen.position() + i), "byte " + i);
        }
        buffer.unmap();
        assertEquals(0, freed.get(), "still held by GStreamer");
        buffer.dispose();
        assertEquals(1, freed.get(), "told once, when the last reference went");
    }

    @Test
    void shouldTellEachOwnerExactlyOnceAndFreeItsSlot() {
        int before = WrappedMemory.alive();
        AtomicInteger freed = new AtomicInteger();
        ByteBuffer memory = ByteBuffer.allocateDirect(4096);
        for (int i = 0; i < 3 * WrappedMemory.MAX_WRAPPED / 2; i++) {
            Pointer raw = WrappedMemory.wrap(memory.duplicate(), -1, -1, 0, i, o -> freed.incrementAndGet());
            assertNotNull(raw, "slots come back when buffers are freed");
            WrappedMemory.unref(raw);
        }
        assertEquals(3 * WrappedMemory.MAX_WRAPPED / 2, freed.get());
        assertEquals(before, WrappedMemory.alive());
    }

    @Test
    void shouldRefuseHeapMemory() {
        assertThrows(IllegalArgumentException.class,
                () -> WrappedMemory.wrap(ByteBuffer.allocate(10), -1, -1, 0, this, o -> { }));
    }

    @Test
    void shouldKeepGoingWhenAnOwnerThrows() {
        Pointer raw = WrappedMemory.wrap(ByteBuffer.allocateDirect(10), -1, -1, 0, this, o -> {
            throw new IllegalStateException("owner's bug");
        });
        int alive = WrappedMemory.alive();
        WrappedMemory.unref(raw); // must not reach C as an exception
        assertEquals(alive - 1, WrappedMemory.alive());
    }
}
