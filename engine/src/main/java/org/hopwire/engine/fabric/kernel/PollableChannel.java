package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.time.Duration;

/** A device channel that can tell when its TX ring has room, as {@code poll(2)} with {@code POLLOUT} does. */
public interface PollableChannel extends ByteChannel {
    /** Waits up to {@code timeout} until a write would not block; returns whether it would not. */
    boolean awaitWritable(Duration timeout) throws IOException;
}
