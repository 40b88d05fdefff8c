package org.hopwire.engine.fabric.emulated;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.StreamChannel;

/**
 * A file path onto one direction of an emulated stream, so that programs which only know files (the kernel
 * documentation's {@code gst-launch-1.0 ... ! filesink location=/dev/tbstream0}) can use the emulated fabric: a named
 * pipe whose bytes are pumped into the stream, or filled from it. A real /dev/tbstreamN carries both directions; a
 * named pipe carries one, so each direction gets its own path.
 */
public final class FifoPort implements AutoCloseable {
    private static final int CHUNK = 256 * 1024;
    /** How long the end of the program's data waits for room for the CLOSE: the reader takes a ring in far less. */
    private static final java.time.Duration CLOSE_ROOM_WAIT = java.time.Duration.ofSeconds(2);

    private final Path path;
    private final boolean toStream;
    private final Thread pump;
    private volatile boolean closed;
    private volatile IOException failure;
    private volatile long bytes;

    private FifoPort(Path path, StreamChannel channel, boolean toStream) throws IOException {
        this.path = path;
        this.toStream = toStream;
        makeFifo(path);
        this.pump = new Thread(() -> run(channel), "hopwire-fifo-" + path.getFileName());
        pump.setDaemon(true);
        pump.start();
    }

    /** A named pipe at {@code path}: what a program writes into it goes into the stream. */
    public static FifoPort writingInto(Path path, StreamChannel channel) throws IOException {
        return new FifoPort(path, channel, true);
    }

    /** A named pipe at {@code path}: what arrives on the stream can be read from it. */
    public static FifoPort readingFrom(Path path, StreamChannel channel) throws IOException {
        return new FifoPort(path, channel, false);
    }

    private static void makeFifo(Path path) throws IOException {
        Files.deleteIfExists(path);
        Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mkfifo " + path + " failed: " + new String(p.getInputStream().readAllBytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + path, e);
        }
    }

    private void run(StreamChannel channel) {
        try {
            if (toStream) {
                try (InputStream in = Files.newInputStream(path)) {
                    byte[] buf = new byte[CHUNK];
                    for (int n; !closed && (n = in.read(buf)) >= 0; ) {
                        channel.writeFully(ByteBuffer.wrap(buf, 0, n));
                        bytes += n;
                    }
                }
                // The program closed its end: pass that on. The last close sends CLOSE only with room in the ring.
                channel.awaitWritable(CLOSE_ROOM_WAIT);
            } else {
                try (OutputStream out = Files.newOutputStream(path)) {
                    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                    while (!closed) {
                        buf.clear();
                        int n = channel.read(buf);
                        if (n < 0) {
                            break;
                        }
                        out.write(buf.array(), 0, n);
                        bytes += n;
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                failure = e;
            }
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is best effort here
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Bytes pumped so far. */
    public long bytes() {
        return bytes;
    }

    /** Why the pump stopped early, if it did. */
    public IOException failure() {
        return failure;
    }

    /** Waits until the pump has finished (the program closed its end, or the stream ended). */
    public boolean await(long millis) throws InterruptedException {
        pump.join(millis);
        return !pump.isAlive();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (pump.isAlive()) {
            // A pump still waiting for the program to open its end: open it ourselves so it wakes and ends. Read and
            // write at once, which never waits for the other end (a read-only or write-only open of a FIFO would).
            try {
                java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ,
                        java.nio.file.StandardOpenOption.WRITE).close();
            } catch (IOException ignored) {
                // it woke some other way
            }
            try {
                pump.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(path);
    }
}
