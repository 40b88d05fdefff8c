package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The cost of waiting in poll(2): 64 MiB through a FIFO by {@link NativeDeviceChannel} and by a plain blocking
 * {@link FileChannel}, a writer thread and a reader thread each, heap and direct buffers.
 *
 * <p>The writer and the reader share one {@link NativeDeviceChannel}, as they share a device's channel in Hopwire.
 * A {@link FileChannel} reads and writes under one lock, so a read waiting for data would hold off the write that
 * brings it: its writer and reader get a channel each, both opened on the same FIFO.
 *
 * <p>Every round runs each case once, in turn, so a busy neighbour slows all alike; medians over the rounds. Run after
 * {@code mvn -q -pl engine test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt} with
 * {@code java -cp engine/target/test-classes:engine/target/classes:$(cat engine/target/cp.txt)
 * org.hopwire.engine.fabric.kernel.FifoChannelBench} (add {@code -Dbench.rounds=N}).
 */
final class FifoChannelBench {
    private static final long BYTES = 64L << 20;
    /** What the writer hands over per call and the reader asks for: a typical frame batch, larger than the pipe. */
    private static final int CHUNK_BYTES = 256 << 10;

    /** Opens the writer's and the reader's channel on the FIFO, the same one or two. */
    @FunctionalInterface
    private interface Opener {
        ByteChannel[] open(Path fifo) throws IOException;
    }

    private FifoChannelBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 5);
        Path dir = Files.createTempDirectory("hopwire-fifo-bench");
        Path fifo = dir.resolve("fifo");
        if (new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException("mkfifo failed");
        }
        Opener nativeChannel = f -> {
            NativeDeviceChannel ch = NativeDeviceChannel.open(f);
            return new ByteChannel[] {ch, ch};
        };
        Opener fileChannel = f -> new ByteChannel[] {
            FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE),
            FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)};
        Map<String, List<Double>> mbPerS = new LinkedHashMap<>();
        try {
            System.out.printf(Locale.ROOT, "FIFO transfer: %d MiB per case, %d KiB calls, %d rounds, %d cores%n",
                    BYTES >> 20, CHUNK_BYTES >> 10, rounds, Runtime.getRuntime().availableProcessors());
            for (int warm = 0; warm < 2; warm++) {
                transfer(nativeChannel, fifo, ByteBuffer::allocate);
                transfer(fileChannel, fifo, ByteBuffer::allocate);
            }
            for (int r = 0; r < rounds; r++) {
                add(mbPerS, "NativeDeviceChannel, heap buffers", transfer(nativeChannel, fifo, ByteBuffer::allocate));
                add(mbPerS, "FileChannel, heap buffers", transfer(fileChannel, fifo, ByteBuffer::allocate));
                add(mbPerS, "NativeDeviceChannel, direct buffers",
                        transfer(nativeChannel, fifo, ByteBuffer::allocateDirect));
                add(mbPerS, "FileChannel, direct buffers", transfer(fileChannel, fifo, ByteBuffer::allocateDirect));
            }
        } finally {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        }
        System.out.printf(Locale.ROOT, "%n%-38s %10s %10s %10s%n", "case (MB/s)", "median", "min", "max");
        for (var e : mbPerS.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-38s %10.0f %10.0f %10.0f%n", e.getKey(), v[v.length / 2], v[0],
                    v[v.length - 1]);
        }
    }

    private static void add(Map<String, List<Double>> results, String name, double value) {
        results.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    /** MB/s (10^6 bytes) from the first write to the last byte read. */
    private static double transfer(Opener opener, Path fifo, IntFunction<ByteBuffer> allocate) throws Exception {
        ByteChannel[] channels = opener.open(fifo);
        try (ByteChannel writing = channels[0]; ByteChannel reading = channels[1]) {
            ByteBuffer out = allocate.apply(CHUNK_BYTES);
            ByteBuffer in = allocate.apply(CHUNK_BYTES);
            byte[] pattern = new byte[CHUNK_BYTES];
            Arrays.fill(pattern, (byte) 0x5a);
            out.put(pattern).flip();
            long start = System.nanoTime();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (long left = BYTES; left > 0; left -= CHUNK_BYTES) {
                        out.clear();
                        while (out.hasRemaining()) {
                            writing.write(out);
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long received = 0;
            while (received < BYTES) {
                in.clear();
                int n = reading.read(in);
                if (n < 0) {
                    throw new IllegalStateException("end of file after " + received + " bytes");
                }
                received += n;
            }
            long elapsedNs = System.nanoTime() - start;
            writer.get(10, TimeUnit.SECONDS);
            return BYTES / (elapsedNs / 1e9) / 1e6;
        }
    }
}
