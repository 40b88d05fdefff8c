package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.file.Path;

/**
 * Opens a stream's character device for reading and writing; a failure is a {@link SyscallException} with the errno.
 */
@FunctionalInterface
public interface DeviceOpener {
    ByteChannel open(Path device) throws IOException;

    /**
     * {@code open(2)} with {@code O_RDWR|O_NONBLOCK|O_CLOEXEC}, which opens without waiting: ENXIO at once when no
     * connection, EINVAL when a HopID is unset. Reads and writes wait in {@code poll(2)}, so a {@code close()} from
     * another thread wakes them at once.
     */
    DeviceOpener DIRECT = NativeDeviceChannel::open;
}
