package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens a stream's character device for reading and writing; failures carry the errno text as the system call's do.
 */
@FunctionalInterface
public interface DeviceOpener {
    ByteChannel open(Path device) throws IOException;

    /** {@code open(2)} with {@code O_RDWR}; a {@link FileChannel} reads, writes and closes it as the driver expects. */
    DeviceOpener DIRECT = device -> FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE);
}
