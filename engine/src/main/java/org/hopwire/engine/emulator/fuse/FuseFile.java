package org.hopwire.engine.emulator.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;

/** An open file of a {@link FuseFs}. */
public interface FuseFile {
    int POLLIN = 0x1;
    int POLLOUT = 0x4;

    /** Asks to be told when a poll would show something new: the server sends the kernel a wake-up. */
    interface Waker {
        void wake();
    }

    /** Whether opening's end (flush, release) may wait, so it runs on a worker; also marks a stream-like file. */
    boolean slow();

    /** Whether a read or write may wait, so it runs on a worker; a non-blocking one of a device need not. */
    default boolean mayWait(boolean nonBlocking) {
        return slow();
    }

    /** Whether a write may wait; as {@link #mayWait} unless a file says otherwise. */
    default boolean writeMayWait(boolean nonBlocking) {
        return mayWait(nonBlocking);
    }

    /** Reads into {@code dst}; the bytes read, 0 at end of file. Non-blocking callers get EAGAIN instead of a wait. */
    int read(ByteBuffer dst, long offset, boolean nonBlocking) throws IOException;

    /** Writes from {@code src}; the bytes taken, maybe fewer than given. */
    int write(ByteBuffer src, long offset, boolean nonBlocking) throws IOException;

    /**
     * The poll(2) events ready now among {@code events}; when none is and {@code waker} is not null, calls it once
     * something changes. By default a file is always readable and writable, as a regular file is.
     */
    default int poll(int events, Waker waker) {
        return events & (POLLIN | POLLOUT);
    }

    /**
     * A {@code close(2)} of one of the file's descriptors (others may remain: FUSE does not say); the caller waits
     * for it. Nothing by default.
     */
    default void flush() throws IOException {
    }

    /** The last close; nothing by default. */
    default void release() {
    }
}
