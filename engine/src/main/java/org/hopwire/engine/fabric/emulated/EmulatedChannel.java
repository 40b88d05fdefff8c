package org.hopwire.engine.fabric.emulated;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.function.Consumer;

import org.hopwire.engine.fabric.Problems;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamChannel;

/** An open emulated {@code /dev/tbstreamN}: reads from the RX pipe, writes to the TX pipe, as the driver does. */
public final class EmulatedChannel implements StreamChannel {
    private final EmulatedHost host;
    private final EmulatedHost.Rings rings;
    private final Consumer<EmulatedChannel> onClose;
    private volatile boolean closed;
    /** What {@link #flushAsFile} has waited already, out of the last close's drain time. */
    private volatile long drainSpentNs;
    /**
     * Set by {@link #flushAsFile} when that close found the TX ring full or cancelled its tail: the last close sends
     * no CLOSE then. A write after it clears it (that close was not the last).
     */
    private volatile boolean closeForgone;

    /** Reads stop when this channel closes or its thread is interrupted; they fail when the connection is gone. */
    private final Pipe.Guard readGuard = new Pipe.Guard() {
        @Override
        public void check() throws IOException {
            if (closed) {
                throw new AsynchronousCloseException();
            }
            if (Thread.interrupted()) {
                // As an InterruptibleChannel does, an interrupt closes the channel: done by the caller once the pipe's
                // locks are released.
                throw new ClosedByInterruptException();
            }
        }

        @Override
        public IOException linkDown(String reason) {
            return Problems.linkDown(rings.address(), reason);
        }

        @Override
        public boolean hung() {
            return host.hung(rings);
        }

        @Override
        public boolean removed() {
            return rings.removed();
        }

        @Override
        public void beforeWaiting() {
        }
    };

    /**
     * Writes as the driver's: one that has to wait fails with ENXIO only if the peer's CLOSE was already read here or
     * the stream was removed; otherwise it waits, for good if the peer is gone and nobody reads.
     */
    private final Pipe.Guard writeGuard = new Pipe.Guard() {
        @Override
        public void check() throws IOException {
            readGuard.check();
        }

        @Override
        public IOException linkDown(String reason) {
            return readGuard.linkDown(reason);
        }

        @Override
        public boolean hung() {
            return readGuard.hung();
        }

        @Override
        public boolean removed() {
            return rings.removed();
        }

        @Override
        public void beforeWaiting() throws IOException {
            if (rings.rx.closeConsumed()) {
                throw Problems.linkDown(rings.address(), "the peer closed its end");
            }
            if (rings.removed()) {
                throw Problems.linkDown(rings.address(), "the stream was removed");
            }
        }
    };

    /** Thrown by a call made as a non-blocking file would be, where the device would wait: EAGAIN. */
    public static final class WouldBlockException extends IOException {
        private static final long serialVersionUID = 1L;

        WouldBlockException() {
            super("the device would block");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // one shared instance; where it was made says nothing
        }
    }

    private static final WouldBlockException WOULD_BLOCK = new WouldBlockException();

    /** poll(2) bits of {@link #readyOps()}. */
    public static final int READABLE = 0x1;
    public static final int WRITABLE = 0x4;
    public static final int ERROR = 0x8;
    public static final int HANGUP = 0x10;

    private final Pipe.Guard fileRead = fileGuard(readGuard, false);
    private final Pipe.Guard fileReadNow = fileGuard(readGuard, true);
    private final Pipe.Guard fileWrite = fileGuard(writeGuard, false);
    private final Pipe.Guard fileWriteNow = fileGuard(writeGuard, true);

    /**
     * A guard for calls made as through a file: an interrupt of the calling thread ends the call with an {@link
     * InterruptedIOException} before anything was taken, and leaves the channel open (a signal interrupts one system
     * call, it does not close the file); a non-blocking call throws {@link WouldBlockException} where it would wait.
     */
    private Pipe.Guard fileGuard(Pipe.Guard base, boolean nonBlocking) {
        return new Pipe.Guard() {
            @Override
            public void check() throws IOException {
                if (closed) {
                    throw new AsynchronousCloseException();
                }
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("interrupted before anything was transferred");
                }
            }

            @Override
            public IOException linkDown(String reason) {
                return base.linkDown(reason);
            }

            @Override
            public boolean hung() {
                return base.hung();
            }

            @Override
            public boolean removed() {
                return base.removed();
            }

            @Override
            public void beforeWaiting() throws IOException {
                base.beforeWaiting();
                if (nonBlocking) {
                    throw WOULD_BLOCK;
                }
            }

            @Override
            public boolean nonBlocking() {
                return nonBlocking;
            }
        };
    }

    EmulatedChannel(EmulatedHost host, EmulatedHost.Rings rings, Consumer<EmulatedChannel> onClose) {
        this.host = host;
        this.rings = rings;
        this.onClose = onClose;
    }

    @Override
    public StreamAddress address() {
        return rings.address();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        try {
            return rings.rx.read(dst, readGuard);
        } catch (ClosedByInterruptException e) {
            close();
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        try {
            return rings.tx.write(src, writeGuard);
        } catch (ClosedByInterruptException e) {
            close();
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    @Override
    public boolean awaitWritable(java.time.Duration timeout) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return rings.tx.awaitRoom(timeout.toNanos(), writeGuard);
    }

    /**
     * Reads as {@code read(2)} on the device file does, for a file-system front end: -1 at end of file; with {@code
     * nonBlocking}, {@link WouldBlockException} instead of waiting. An interrupt of the calling thread ends a wait
     * with {@link InterruptedIOException} having taken nothing, so the bytes stay for the next read.
     */
    public int readAsFile(ByteBuffer dst, boolean nonBlocking) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return rings.rx.read(dst, nonBlocking ? fileReadNow : fileRead);
    }

    /** Writes as {@code write(2)} on the device file does; see {@link #readAsFile}. */
    public int writeAsFile(ByteBuffer src, boolean nonBlocking) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (closeForgone || drainSpentNs != 0) {
            // A descriptor of this file is still in use, so the close(2) seen was not the last one.
            closeForgone = false;
            drainSpentNs = 0;
        }
        return rings.tx.write(src, nonBlocking ? fileWriteNow : fileWrite);
    }

    /**
     * What {@code poll(2)} shows now: {@link #READABLE} when a packet waits, {@link #WRITABLE} when the TX ring has
     * room, {@link #ERROR} and {@link #HANGUP} only when the connection is gone (a peer's close or an rmdir does not
     * show).
     */
    public int readyOps() {
        if (closed) {
            return ERROR | HANGUP;
        }
        int ops = 0;
        if (rings.rx.hasArrived()) {
            ops |= READABLE;
        }
        if (rings.tx.hasRoom()) {
            ops |= WRITABLE;
        }
        if ((rings.rx.broken() || rings.tx.broken()) && !host.hung(rings)) {
            ops |= ERROR | HANGUP;
        }
        return ops;
    }

    /**
     * Runs {@code action} once at the next change that may alter {@link #readyOps()} for {@code ops} ({@link
     * #READABLE}: the RX side; {@link #WRITABLE}: the TX side), on the thread that makes the change; quick actions
     * only. With it a file system tells the kernel's pollers to look again without a thread waiting per poller.
     */
    public void onNextChange(int ops, Runnable action) {
        if ((ops & READABLE) != 0) {
            rings.rx.onNextChange(action);
        }
        if ((ops & WRITABLE) != 0) {
            rings.tx.onNextChange(action);
        }
    }

    /**
     * How long until a packet already sent lands here and makes the device readable: -1 when none is on its way, 0
     * when one has landed. On a throttled cable landing is a matter of time, not of a change.
     */
    public long nanosUntilReadable() {
        return rings.rx.nanosUntilArrival();
    }

    /**
     * A {@code close(2)} of a file descriptor of this open file, for a file-system front end that cannot tell the
     * last one (FUSE flushes at every close, and lets go of the file later, without the caller waiting). When this
     * is the stream's only open file it does before returning what the driver's last close does: notes whether the
     * TX ring has room for a CLOSE, waits up to the drain time for the reader to take what is queued, and cancels
     * what is left (with the CLOSE that would have followed it). So a reader that starts after {@code close(2)}
     * returned finds what the driver would have left, however late FUSE's release comes. {@link #close()} sends the
     * CLOSE, if one is still due, with the drain time that is left.
     */
    public void flushAsFile() {
        if (closed || rings.opens > 1) {
            return;
        }
        boolean full = !rings.tx.hasRoom();
        long budget = Math.max(0, host.closeDrain().toNanos() - drainSpentNs);
        long start = System.nanoTime();
        boolean sent = rings.tx.awaitSent(budget);
        drainSpentNs += System.nanoTime() - start;
        if (!sent) {
            rings.tx.cancelQueued();
        }
        closeForgone = full || !sent;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Closes this open; the last one may wait up to the drain time for the peer to read what was sent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        rings.rx.wake();
        rings.tx.wake();
        host.release(rings, host.closeDrain().toNanos() - drainSpentNs, !closeForgone);
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "emulated channel " + rings.address() + " on " + host.name();
    }
}
