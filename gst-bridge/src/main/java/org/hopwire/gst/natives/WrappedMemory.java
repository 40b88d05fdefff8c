package org.hopwire.gst.natives;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import com.sun.jna.Callback;
import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.elements.AppSrc;
import org.freedesktop.gstreamer.glib.Natives;

/**
 * Hands Java's direct memory to GStreamer without a copy: a read-only {@code GstBuffer} wraps the memory
 * ({@code gst_buffer_new_wrapped_full}), and when GStreamer frees the buffer (its last reference dropped, on whatever
 * thread did that: a streaming thread, the pusher when a leaky appsrc dropped it, or the one tearing a pipeline
 * down) the memory's owner is told, exactly once, so it can reuse the memory.
 *
 * <p>Until then the memory must stay as it is: the owner gives it out again only after {@link Freed#freed}.
 * Per buffer nothing is allocated on the Java side but the returned {@link Pointer}: the owners sit in a fixed table
 * whose slot number is the buffer's user data, and one callback object, strongly held here for the life of the
 * process (a collected JNA callback would crash the first GStreamer thread to call it), serves every buffer.
 */
public final class WrappedMemory {
    /**
     * How many wrapped buffers may be alive at once, all playbacks together: far above what bounded playbacks hold
     * (16 each, {@code Playback}), so it only stops a leak from growing; past it {@link #wrap} says no.
     */
    public static final int MAX_WRAPPED = 4096;
    /** {@code GST_MEMORY_FLAG_READONLY}: no element may write into the peer's frame. */
    private static final int MEMORY_READONLY = 1 << 1;
    /** {@code GstBuffer}'s fields on 64-bit (gstbuffer.h: a 64-byte GstMiniObject, the pool pointer, then these). */
    private static final long PTS_OFFSET = 72;
    private static final long DURATION_OFFSET = 88;
    /** {@code GstMiniObject.flags}, after its type (8 bytes), refcount and lockstate (4 each). */
    private static final long FLAGS_OFFSET = 16;
    /** {@code GST_BUFFER_FLAG_DISCONT} and {@code GST_BUFFER_FLAG_DELTA_UNIT}: GST_MINI_OBJECT_FLAG_LAST (16) << 2, << 9. */
    public static final int FLAG_DISCONT = 1 << 6;
    public static final int FLAG_DELTA_UNIT = 1 << 13;

    /** Told when GStreamer no longer reads a wrapped memory; on a GStreamer thread, must not block or throw. */
    @FunctionalInterface
    public interface Freed {
        void freed(Object owner);
    }

    private WrappedMemory() {
    }

    /** The C side; direct mapping, so a call boxes nothing. */
    private static final class Lib {
        static {
            Native.register(Lib.class, load("gstreamer-1.0", "libgstreamer-1.0.so.0"));
        }

        static native Pointer gst_buffer_new_wrapped_full(int flags, ByteBuffer data, long maxSize, long offset,
                                                          long size, long userData, DestroyNotify notify);

        static native void gst_mini_object_unref(Pointer object);
    }

    private static final class AppLib {
        static {
            Native.register(AppLib.class, load("gstapp-1.0", "libgstapp-1.0.so.0"));
        }

        /** Takes the buffer's reference (transfer full), also when it refuses it. */
        static native int gst_app_src_push_buffer(Pointer appsrc, Pointer buffer);
    }

    private static NativeLibrary load(String name, String soname) {
        try {
            return NativeLibrary.getInstance(name);
        } catch (UnsatisfiedLinkError e) {
            return NativeLibrary.getInstance(soname); // Debian ships only the versioned file without -dev
        }
    }

    /** GDestroyNotify: {@code void (*)(gpointer data)}. */
    private interface DestroyNotify extends Callback {
        void invoke(long userData);
    }

    private static final Object[] OWNERS = new Object[MAX_WRAPPED];
    private static final Freed[] LISTENERS = new Freed[MAX_WRAPPED];
    /** Free slot numbers, a stack; guarded by OWNERS. */
    private static final int[] FREE_SLOTS = new int[MAX_WRAPPED];
    private static int freeCount;
    private static long wrapped;
    private static long freed;

    static {
        for (int i = 0; i < MAX_WRAPPED; i++) {
            FREE_SLOTS[i] = MAX_WRAPPED - 1 - i;
        }
        freeCount = MAX_WRAPPED;
    }

    /** The one callback; a static field, so it is never collected while GStreamer may still call it. */
    private static final DestroyNotify NOTIFY = WrappedMemory::onFreed;

    static {
        // GStreamer's threads stay attached to the JVM after the first call (as gst1-java-core's own callbacks
        // do): attaching and detaching per freed buffer would cost a thread object and a few microseconds each.
        Native.setCallbackThreadInitializer(NOTIFY, new CallbackThreadInitializer(true, false));
    }

    private static void onFreed(long userData) {
        // Never throw into C: an exception here would be lost at best.
        try {
            int slot = (int) userData;
            Object owner;
            Freed listener;
            synchronized (OWNERS) {
                owner = OWNERS[slot];
                listener = LISTENERS[slot];
                OWNERS[slot] = null;
                LISTENERS[slot] = null;
                if (owner == null) {
                    return;
                }
                FREE_SLOTS[freeCount++] = slot;
                freed++;
            }
            listener.freed(owner);
        } catch (Throwable t) {
            // The owner's bug: its memory is then only collected.
        }
    }

    /**
     * A read-only GStreamer buffer over {@code memory}'s bytes from its position to its limit (a direct buffer),
     * stamped with {@code pts}, {@code duration} (ns, -1 for none) and buffer {@code flags} ({@link #FLAG_DISCONT},
     * {@link #FLAG_DELTA_UNIT}); the caller owns its one reference and passes it on ({@link #push}). When GStreamer
     * frees it, {@code freed} gets {@code owner}. Null when {@link #MAX_WRAPPED} buffers are alive (nothing is
     * registered then: the caller still owns the memory).
     */
    public static Pointer wrap(ByteBuffer memory, long pts, long duration, int flags, Object owner, Freed freed) {
        if (!memory.isDirect()) {
            throw new IllegalArgumentException("only direct memory can be wrapped");
        }
        int slot;
        synchronized (OWNERS) {
            if (freeCount == 0) {
                return null;
            }
            slot = FREE_SLOTS[--freeCount];
            OWNERS[slot] = owner;
            LISTENERS[slot] = freed;
            wrapped++;
        }
        // JNA passes a direct buffer's address at its position (WrappedMemoryTest checks it): the memory GStreamer
        // may see runs from there to the capacity.
        Pointer buffer = Lib.gst_buffer_new_wrapped_full(MEMORY_READONLY, memory,
                memory.capacity() - memory.position(), 0, memory.remaining(), slot, NOTIFY);
        if (buffer == null) {
            synchronized (OWNERS) {
                OWNERS[slot] = null;
                LISTENERS[slot] = null;
                FREE_SLOTS[freeCount++] = slot;
                wrapped--;
            }
            return null;
        }
        buffer.setLong(PTS_OFFSET, pts);
        buffer.setLong(DURATION_OFFSET, duration);
        if (flags != 0) {
            buffer.setInt(FLAGS_OFFSET, buffer.getInt(FLAGS_OFFSET) | flags);
        }
        return buffer;
    }

    /** Pushes a wrapped buffer into an appsrc, which takes the reference; false when the appsrc refused it. */
    public static boolean push(AppSrc src, Pointer buffer) {
        return AppLib.gst_app_src_push_buffer(Natives.getRawPointer(src), buffer) == 0;
    }

    /**
     * Wraps {@code memory} ({@link #wrap}) and pushes it into {@code src}: true when GStreamer has it, and
     * {@code freed} will get {@code owner} once it lets go (at once, inside this call, when the appsrc refuses or
     * drops it); false when nothing was wrapped, and the caller still owns the memory.
     */
    public static boolean wrapAndPush(AppSrc src, ByteBuffer memory, long pts, long duration, int flags,
                                      Object owner, Freed freed) {
        Pointer buffer = wrap(memory, pts, duration, flags, owner, freed);
        if (buffer == null) {
            return false;
        }
        push(src, buffer);
        return true;
    }

    /** Drops a wrapped buffer not pushed anywhere: its memory's owner is told at once. */
    public static void unref(Pointer buffer) {
        Lib.gst_mini_object_unref(buffer);
    }

    /** Wrapped buffers GStreamer still holds, all owners together. */
    public static int alive() {
        synchronized (OWNERS) {
            return MAX_WRAPPED - freeCount;
        }
    }

    /** Buffers wrapped and freed since the start, for tests: {@code [wrapped, freed]}. */
    public static long[] counts() {
        synchronized (OWNERS) {
            return new long[] {wrapped, freed};
        }
    }

    /** A consumer as a {@link Freed}, for owners typed by what they wrap. */
    @SuppressWarnings("unchecked")
    public static <T> Freed freed(Consumer<T> consumer) {
        return owner -> consumer.accept((T) owner);
    }
}
