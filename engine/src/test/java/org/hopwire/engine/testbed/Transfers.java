package org.hopwire.engine.testbed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

import org.hopwire.engine.fabric.StreamChannel;

/** Moves checksummed data through stream channels, and other waiting helpers the fabric tests share. */
public final class Transfers {
    private static final int BLOCK = 1 << 20;

    private Transfers() {
    }

    /**
     * Writes {@code bytes} of seeded pseudo-random data, each 1 MiB rotated differently so a lost, repeated or
     * misplaced packet changes the checksum; returns the CRC32C of what was written.
     */
    public static long send(StreamChannel channel, long bytes, long seed, int writeSize) throws IOException {
        byte[] block = new byte[BLOCK];
        new Random(seed).nextBytes(block);
        CRC32C crc = new CRC32C();
        long sent = 0;
        long chunk = 0;
        while (sent < bytes) {
            int offset = (int) ((chunk++ * 7919) % BLOCK);
            for (int part = 0; part < 2 && sent < bytes; part++) {
                int from = part == 0 ? offset : 0;
                int to = part == 0 ? BLOCK : offset;
                for (int pos = from; pos < to && sent < bytes; ) {
                    int len = (int) Math.min(Math.min(writeSize, to - pos), bytes - sent);
                    ByteBuffer buf = ByteBuffer.wrap(block, pos, len);
                    channel.writeFully(buf);
                    crc.update(block, pos, len);
                    pos += len;
                    sent += len;
                }
            }
        }
        return crc.getValue();
    }

    /** Reads exactly {@code bytes} (failing on an early EOF) and returns their CRC32C. */
    public static long receive(StreamChannel channel, long bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        CRC32C crc = new CRC32C();
        long got = 0;
        while (got < bytes) {
            buf.clear();
            if (bytes - got < buf.capacity()) {
                buf.limit((int) (bytes - got));
            }
            int n = channel.read(buf);
            if (n < 0) {
                throw new IOException("EOF after " + got + " of " + bytes + " bytes");
            }
            crc.update(buf.array(), 0, n);
            got += n;
        }
        return crc.getValue();
    }

    /** Reads exactly {@code n} bytes. */
    public static byte[] readExactly(StreamChannel channel, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new IOException("EOF after " + buf.position() + " of " + n + " bytes");
            }
        }
        return buf.array();
    }

    /** Runs a task on its own daemon thread. */
    public static <T> Future<T> inBackground(Callable<T> task) {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-background");
            t.setDaemon(true);
            return t;
        });
        try {
            return one.submit(task);
        } finally {
            one.shutdown();
        }
    }

    /** Waits until the condition holds, failing with {@code what} after {@code timeout}. */
    public static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** The next event of a type from a listener's queue, skipping others; fails after {@code timeout}. */
    public static <E extends org.hopwire.engine.fabric.FabricEvent> E nextEvent(
            java.util.concurrent.BlockingQueue<org.hopwire.engine.fabric.FabricEvent> events, Class<E> type,
            Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            org.hopwire.engine.fabric.FabricEvent e = events.poll(deadline - System.nanoTime(),
                    java.util.concurrent.TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeout.toMillis() + " ms");
            }
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
    }

    /** The peers a fabric sees now; none while it cannot look. */
    public static java.util.List<org.hopwire.engine.fabric.PeerHost> peersOf(org.hopwire.engine.fabric.Fabric f) {
        try {
            return f.peers();
        } catch (org.hopwire.engine.fabric.FabricException e) {
            return java.util.List.of();
        }
    }
}
