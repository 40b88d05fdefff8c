package org.hopwire.engine.fabric;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * An open USB4STREAM character device: a reliable, ordered byte stream to the peer, without message boundaries.
 *
 * <p>Behaves as the driver does:
 * <ul>
 *   <li>{@link #read} blocks until data arrived, then returns what is there up to the buffer's room; it returns -1
 *       (the driver's EOF) once the peer closed its side and everything before the close was read.</li>
 *   <li>{@link #write} may write fewer bytes than asked and blocks only while the ring is completely full.</li>
 *   <li>Both throw {@link LinkDownException} once the connection is gone, the peer closed (write), or the stream
 *       was removed; {@link HopIdUnsetException} when the stream's HopIDs were reset.</li>
 *   <li>{@link #close} from another thread wakes a blocked read or write with
 *       {@link java.nio.channels.AsynchronousCloseException}.</li>
 * </ul>
 * One thread should own reads and one writes: a second reader steals data, including the peer's close.
 */
public interface StreamChannel extends ByteChannel {
    /** The stream this channel is open on. */
    StreamAddress address();

    /**
     * Waits, at most {@code timeout}, until the TX ring has a free frame: what {@code poll(2)} reports as writable.
     * The driver's last close sends the peer its CLOSE only when there is one, silently otherwise, so a writer that
     * wants the peer to see its end of file waits for this before closing. Returns whether there is room.
     */
    boolean awaitWritable(java.time.Duration timeout) throws IOException;

    /** Writes all of {@code src}, looping over short writes. */
    default void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
        }
    }
}
