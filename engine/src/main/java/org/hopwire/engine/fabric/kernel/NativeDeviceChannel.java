package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.hopwire.engine.fabric.Errno;

/**
 * A character device opened non-blocking, read and written after {@code poll(2)}, so that {@link #close()} from
 * another thread wakes a blocked read or write at once.
 *
 * <p>Each wait polls the device together with an eventfd that {@link #close()} signals, in slices: after a slice
 * with no event the read or write is tried once anyway, since the driver's poll does not show an end that only the
 * call reports (a second read after the peer's CLOSE, a removed stream drained, a writer whose peer closed). Closed, asynchronously
 * closed and interrupted calls behave as {@link java.nio.channels.FileChannel}'s do ({@link ClosedChannelException},
 * {@link java.nio.channels.AsynchronousCloseException}, {@link java.nio.channels.ClosedByInterruptException}), the
 * machinery of {@link AbstractInterruptibleChannel} doing the interrupt part. One read and one write may run at the
 * same time; further readers or writers queue behind them.
 */
final class NativeDeviceChannel extends AbstractInterruptibleChannel implements PollableChannel {
    /** A poll's bound: nothing waits longer unwoken even if a wake-up were lost; short enough not to matter then. */
    static final int POLL_TIMEOUT_MS = 250;

    /** Heap buffers are copied through this much direct memory at most, per direction: one driver-sized gulp. */
    static final int MAX_SCRATCH_BYTES = 1 << 20;

    private static final int MIN_SCRATCH_BYTES = 64 << 10;

    /** How long close() waits for other threads to leave their system calls; they leave within one poll. */
    private static final long CLOSE_WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    private final int fd;
    private final int wakeFd;
    private final String name;
    private final int pollTimeoutMs;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final LinuxCalls.PollPair readable;
    private final LinuxCalls.PollPair writable;
    /** {@link #awaitWritable}'s own poll, so asking never waits behind a writer that waits for room. */
    private final LinuxCalls.PollPair probe;
    private final ReentrantLock probeLock = new ReentrantLock();
    private ByteBuffer readScratch;
    private ByteBuffer writeScratch;

    // Threads between their closed-check and the end of their system call: the fds stay open while any is.
    private final AtomicInteger inUse = new AtomicInteger();
    private volatile boolean closeDeferred;
    private final AtomicBoolean fdsClosed = new AtomicBoolean();

    private NativeDeviceChannel(int fd, int wakeFd, String name, int pollTimeoutMs) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.name = name;
        this.pollTimeoutMs = pollTimeoutMs;
        this.readable = new LinuxCalls.PollPair(fd, wakeFd, LinuxCalls.POLLIN);
        this.writable = new LinuxCalls.PollPair(fd, wakeFd, LinuxCalls.POLLOUT);
        this.probe = new LinuxCalls.PollPair(fd, wakeFd, LinuxCalls.POLLOUT);
    }

    /** Opens a device with {@code O_RDWR|O_NONBLOCK|O_CLOEXEC}: never waits, fails at once (ENXIO, EINVAL...). */
    static NativeDeviceChannel open(Path device) throws IOException {
        return open(device, POLL_TIMEOUT_MS);
    }

    /** As {@link #open(Path)}, each poll waiting at most {@code pollTimeoutMs}. */
    static NativeDeviceChannel open(Path device, int pollTimeoutMs) throws IOException {
        int fd = LinuxCalls.openDevice(device);
        try {
            return new NativeDeviceChannel(fd, LinuxCalls.eventFd(), device.toString(), pollTimeoutMs);
        } catch (IOException | RuntimeException e) {
            try {
                LinuxCalls.close(fd);
            } catch (SyscallException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        readLock.lock();
        try {
            ensureOpen();
            if (dst.isDirect()) {
                return transfer(readable, dst, true);
            }
            ByteBuffer scratch = readScratch = scratch(readScratch, dst.remaining());
            scratch.clear().limit(Math.min(dst.remaining(), scratch.capacity()));
            int n = transfer(readable, scratch, true);
            if (n > 0) {
                dst.put(scratch.flip());
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        if (!src.hasRemaining()) {
            return 0;
        }
        writeLock.lock();
        try {
            ensureOpen();
            if (src.isDirect()) {
                return transfer(writable, src, false);
            }
            ByteBuffer scratch = writeScratch = scratch(writeScratch, src.remaining());
            int len = Math.min(src.remaining(), scratch.capacity());
            scratch.clear().put(0, src, src.position(), len).limit(len);
            int n = transfer(writable, scratch, false);
            src.position(src.position() + Math.max(n, 0));
            return n;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Polls for {@code POLLOUT} up to {@code timeout}: true once the TX ring has room, false at the time or a hang-up.
     * It does not wait for a write in progress (one blocked on a full ring would hold it off for good): it polls on
     * its own.
     */
    @Override
    public boolean awaitWritable(java.time.Duration timeout) throws IOException {
        ensureOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!probeLock.tryLock(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            ensureOpen();
            boolean completed = false;
            try {
                begin();
                while (enter()) {
                    try {
                        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                        int revents = probe.poll((int) Math.max(0, Math.min(leftMs, pollTimeoutMs)));
                        if (probe.woken()) {
                            break;
                        }
                        if ((revents & (LinuxCalls.POLLHUP | LinuxCalls.POLLERR | LinuxCalls.POLLNVAL)) != 0) {
                            completed = true;
                            return false;
                        }
                        if ((revents & LinuxCalls.POLLOUT) != 0 || leftMs <= 0) {
                            completed = true;
                            return (revents & LinuxCalls.POLLOUT) != 0;
                        }
                    } finally {
                        leave();
                    }
                }
                return false;
            } finally {
                end(completed);
            }
        } finally {
            probeLock.unlock();
        }
    }

    private static ByteBuffer scratch(ByteBuffer current, int wanted) {
        int size = Math.min(wanted, MAX_SCRATCH_BYTES);
        if (current != null && current.capacity() >= size) {
            return current;
        }
        return ByteBuffer.allocateDirect(Math.min(Math.max(size, MIN_SCRATCH_BYTES), MAX_SCRATCH_BYTES));
    }

    /**
     * Waits for the device to be ready, then makes one read or write: bytes moved, -1 for a read's end of file.
     * The driver may ignore {@code O_NONBLOCK}, so read(2) and write(2) are only called after poll said so.
     */
    private int transfer(LinuxCalls.PollPair ready, ByteBuffer buf, boolean reading) throws IOException {
        short want = reading ? LinuxCalls.POLLIN : LinuxCalls.POLLOUT;
        boolean completed = false;
        try {
            begin();
            while (enter()) {
                try {
                    int revents = ready.poll(pollTimeoutMs);
                    if (ready.woken()) {
                        break;
                    }
                    if ((revents & LinuxCalls.POLLNVAL) != 0) {
                        throw new SyscallException(Errno.EBADF, reading ? "poll before read" : "poll before write",
                                name);
                    }
                    // POLLHUP or POLLERR: the call itself tells what went wrong (ENXIO when the link is gone).
                    // A quiet slice: poll(2) shows neither a peer's CLOSE already read nor an rmdir, yet a read then
                    // ends (EOF) and a writer that would wait fails (ENXIO), so one non-blocking call asks.
                    if (revents == 0 || (revents & (want | LinuxCalls.POLLHUP | LinuxCalls.POLLERR)) != 0) {
                        int n = reading ? LinuxCalls.read(fd, buf) : LinuxCalls.write(fd, buf);
                        if (n != LinuxCalls.AGAIN) {
                            completed = true;
                            return reading && n == 0 ? -1 : n;
                        }
                    }
                } finally {
                    leave();
                }
            }
            return 0;
        } finally {
            // Closed meanwhile: AsynchronousCloseException, or ClosedByInterruptException if that was us.
            end(completed);
        }
    }

    private boolean enter() {
        inUse.incrementAndGet();
        if (!isOpen()) {
            leave();
            return false;
        }
        return true;
    }

    private void leave() {
        if (inUse.decrementAndGet() == 0 && closeDeferred) {
            try {
                closeFds();
            } catch (SyscallException e) {
                // Nobody is left to tell: the close() that gave up waiting has returned already.
            }
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Wakes the threads in poll, waits until none is inside a system call, then closes the device. Closing it
     * earlier could let a new open reuse the fd number under a thread about to poll or read it.
     */
    @Override
    protected void implCloseChannel() throws IOException {
        try {
            LinuxCalls.signal(wakeFd);
        } catch (SyscallException e) {
            // The pollers still leave within one poll's timeout.
        }
        long deadline = System.nanoTime() + CLOSE_WAIT_NS;
        while (inUse.get() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        if (inUse.get() > 0) {
            // A thread is stuck in a call poll said would not block: the last one out closes the fds.
            closeDeferred = true;
            if (inUse.get() > 0) {
                return;
            }
        }
        closeFds();
    }

    private void closeFds() throws SyscallException {
        if (!fdsClosed.compareAndSet(false, true)) {
            return;
        }
        try {
            // The driver's last close may take about 500 ms while it lets queued frames out.
            LinuxCalls.close(fd);
        } finally {
            LinuxCalls.close(wakeFd);
        }
    }

    @Override
    public String toString() {
        return "native channel " + name;
    }
}
