package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.util.function.Consumer;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.Problems;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamChannel;

/** An open {@code /dev/tbstreamN}: passes reads and writes through and names the driver's errors. */
final class KernelStreamChannel implements StreamChannel {
    private final StreamAddress address;
    private final ByteChannel device;
    private final Consumer<KernelStreamChannel> onClose;

    KernelStreamChannel(StreamAddress address, ByteChannel device, Consumer<KernelStreamChannel> onClose) {
        this.address = address;
        this.device = device;
        this.onClose = onClose;
    }

    @Override
    public StreamAddress address() {
        return address;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            return device.read(dst);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return device.write(src);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    private IOException translate(IOException e) {
        Errno errno = Syscalls.errno(e);
        FabricException typed = switch (errno) {
            case ENXIO -> Problems.linkDown(address, "the cable was unplugged, the peer host went away or closed its"
                    + " end, or the stream was removed");
            case EINVAL -> Problems.hopIdUnset(address);
            default -> new FabricException(errno, "I/O on " + address + " failed: " + errno.text());
        };
        typed.initCause(e);
        return typed;
    }

    @Override
    public boolean awaitWritable(java.time.Duration timeout) throws IOException {
        if (!(device instanceof PollableChannel p)) {
            return true;
        }
        try {
            return p.awaitWritable(timeout);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    @Override
    public boolean isOpen() {
        return device.isOpen();
    }

    @Override
    public void close() throws IOException {
        try {
            device.close();
        } finally {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "kernel channel " + address;
    }
}
