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

    /** Reads stop when this channel closes, its thread is interrupted, or the device dies. */
    private final Pipe.Guard readGuard = new Pipe.Guard() {
        @Override
        public void check() throws IOException {
            checkCommon();
        }

        @Override
        public IOException linkDown(String reason) {
            return Problems.linkDown(rings.address, reason);
        }
    };

    /** Writes stop for the same reasons, and once the peer has closed its end. */
    private final Pipe.Guard writeGuard = new Pipe.Guard() {
        @Override
        public void check() throws IOException {
            readGuard.check();
            if (rings.rx.writerState() == Pipe.WriterState.CLOSED && rings.rx.brokenReason() == null) {
                throw Problems.linkDown(rings.address, "the peer closed its end");
            }
        }

        @Override
        public IOException linkDown(String reason) {
            return readGuard.linkDown(reason);
        }
    };

    EmulatedChannel(EmulatedHost host, EmulatedHost.Rings rings, Consumer<EmulatedChannel> onClose) {
        this.host = host;
        this.rings = rings;
        this.onClose = onClose;
    }

    private void checkCommon() throws IOException {
        if (closed) {
            throw new AsynchronousCloseException();
        }
        if (Thread.interrupted()) {
            // As an InterruptibleChannel does, an interrupt closes the channel: done by the caller once the pipe's
            // locks are released.
            throw new ClosedByInterruptException();
        }
        String dead = rings.deadReason;
        if (dead != null) {
            throw Problems.linkDown(rings.address, dead);
        }
    }

    @Override
    public StreamAddress address() {
        return rings.address;
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
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        rings.rx.wake();
        rings.tx.wake();
        host.release(rings);
        if (onClose != null) {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "emulated channel " + rings.address + " on " + host.name();
    }
}
