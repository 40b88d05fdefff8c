package org.hopwire.engine.fabric.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Device I/O through poll(2), over a FIFO opened for reading and writing, which loops back like a device would. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeDeviceChannelTest {
    private static final long TRANSFER_BYTES = 64L << 20;
    /** Long enough for a thread to be inside poll(2) when the test acts on it. */
    private static final long SETTLE_MS = 300;
    /** Longer than the tests wait for a wake-up: only the eventfd, not a poll's timeout, can wake them in time. */
    private static final int LONG_POLL_MS = 30_000;

    @TempDir
    Path dir;

    private Path fifo;

    @BeforeEach
    void makeFifo() throws Exception {
        fifo = Fifos.make(dir.resolve("tbstream0"));
    }

    @Test
    void shouldReadBackWhatWasWritten() throws Exception {
        try (NativeDeviceChannel ch = NativeDeviceChannel.open(fifo)) {
            byte[] frame = "frame".getBytes(StandardCharsets.US_ASCII);
            assertEquals(frame.length, ch.write(ByteBuffer.wrap(frame)));
            ByteBuffer in = ByteBuffer.allocate(16);
            assertEquals(frame.length, ch.read(in));
            assertArrayEquals(frame, Arrays.copyOf(in.array(), in.position()));
        }
    }

    @Test
    void shouldReadNothingIntoAFullBufferWithoutWaiting() throws Exception {
        try (NativeDeviceChannel ch = NativeDeviceChannel.open(fifo)) {
            assertEquals(0, ch.read(ByteBuffer.allocate(0)));
        }
    }

    @ParameterizedTest(name = "direct buffers: {0}")
    @ValueSource(booleans = {false, true})
    void shouldCarry64MibIntactBetweenAWriterAndAReaderThread(boolean direct) throws Exception {
        IntFunction<ByteBuffer> allocate = direct ? ByteBuffer::allocateDirect : ByteBuffer::allocate;
        try (NativeDeviceChannel ch = NativeDeviceChannel.open(fifo)) {
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
                CRC32C crc = new CRC32C();
                ByteBuffer out = allocate.apply(256 << 10);
                long seed = 1;
                try {
                    for (long left = TRANSFER_BYTES; left > 0; ) {
                        out.clear();
                        // Odd sizes, so that writes and reads never line up with the pipe's pages.
                        int len = (int) Math.min(left, 1 + (seed >>> 33) % out.capacity());
                        for (int i = 0; i < len; i++) {
                            seed = seed * 6364136223846793005L + 1442695040888963407L;
                            out.put((byte) (seed >>> 56));
                        }
                        out.flip();
                        crc.update(out.duplicate());
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                        left -= len;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return crc.getValue();
            });
            CRC32C crc = new CRC32C();
            ByteBuffer in = allocate.apply(100_000);
            long received = 0;
            while (received < TRANSFER_BYTES) {
                in.clear().limit((int) Math.min(in.capacity(), TRANSFER_BYTES - received));
                int n = ch.read(in);
                assertTrue(n > 0, "read " + n + " after " + received + " bytes");
                in.flip();
                crc.update(in);
                received += n;
            }
            assertEquals(sent.get(30, TimeUnit.SECONDS), crc.getValue());
        }
    }

    @Test
    void shouldWakeABlockedReadWithAsynchronousCloseWhenClosedFromAnotherThread() throws Exception {
        try (NativeDeviceChannel ch = NativeDeviceChannel.open(fifo, LONG_POLL_MS)) {
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return ch.read(ByteBuffer.allocate(64));
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            Thread.sleep(SETTLE_MS);
            assertFalse(reader.isDone(), "the read waits for data");
            ch.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> reader.get(1, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        }
    }

    @Test
    void shouldWakeABlockedWriteWithAsynchronousCloseWhenClosedFromAnotherThread() throws Exception {
        try (NativeDeviceChannel ch = NativeDeviceChannel.open(fifo, LONG_POLL_MS)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                ByteBuffer out = ByteBuffer.allocateDirect(64 << 10);
                try {
                    // Nobody reads: the pipe fills, then the write waits in poll.
                    while (true) {
                        out.clear();
                        ch.write(out);
                    }
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            Thread.sleep(SETTLE_MS);
            assertFalse(writer.isDone(), "the write waits for room");
            ch.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> writer.get(1, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        }
    }

    @Test
    void shouldCloseTheChannelAndKeepTheFlagWhenABlockedReaderIsInterrupted() throws Exception {
        try (NativeDeviceChannel ch = NativeDeviceChannel.open(fifo, LONG_POLL_MS)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                try {
                    ch.read(ByteBuffer.allocate(64));
                } catch (Throwable t) {
                    thrown.set(t);
                    flagKept.set(Thread.currentThread().isInterrupted());
                }
            }, "blocked-reader");
            reader.start();
            Thread.sleep(SETTLE_MS);
            reader.interrupt();
            reader.join(TimeUnit.SECONDS.toMillis(1));
            assertFalse(reader.isAlive(), "the interrupt woke the reader");
            assertInstanceOf(ClosedByInterruptException.class, thrown.get());
            assertTrue(flagKept.get(), "the interrupt flag stays set");
            assertFalse(ch.isOpen());
            assertThrows(ClosedChannelException.class, () -> ch.write(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void shouldThrowClosedChannelOnReadAfterClose() throws Exception {
        NativeDeviceChannel ch = NativeDeviceChannel.open(fifo);
        ch.close();
        ch.close();
        assertFalse(ch.isOpen());
        assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> ch.write(ByteBuffer.allocate(1)));
    }
}
