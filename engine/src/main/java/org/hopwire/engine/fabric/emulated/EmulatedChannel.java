package org.hopwire.engine.fabric.emulated;

import java.io.IOException;
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
        host.release(rings);
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "emulated channel " + rings.address() + " on " + host.name();
    }
}
