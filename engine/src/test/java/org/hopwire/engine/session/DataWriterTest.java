package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.ChannelException;
import org.hopwire.engine.protocol.DataStreamDecoder;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.MediaFrame;
import org.junit.jupiter.api.Test;

/**
 * The writer seals each frame outside its lock: what goes on the stream still opens to exactly what was offered, and
 * every frame offered comes back once, also one being sealed when its channel closes.
 */
class DataWriterTest {
    private static final byte[] KEY = new byte[32];

    /** A stream that keeps everything written. */
    private static final class Sink implements StreamChannel {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        /** Run before each write: what the test wants to know at that moment. */
        volatile Runnable beforeWrite = () -> { };

        @Override
        public StreamAddress address() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean awaitWritable(Duration timeout) {
            return true;
        }

        @Override
        public synchronized int write(ByteBuffer src) {
            beforeWrite.run();
            int n = src.remaining();
            byte[] b = new byte[n];
            src.get(b);
            bytes.write(b, 0, n);
            return n;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }

        synchronized byte[] written() {
            return bytes.toByteArray();
        }
    }

    private static MediaFrame frame(int channel, long sequence, int length) {
        ByteBuffer b = ByteBuffer.allocateDirect(length);
        Random r = new Random(sequence * 31 + channel);
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) r.nextInt());
        }
        return new MediaFrame(channel, sequence, sequence * 1000, -1, 1000, FragmentHeader.KEY_FRAME, b);
    }

    private static DataWriter writer(Sink sink, Map<MediaFrame, AtomicInteger> givenBack) {
        DataWriter w = new DataWriter(sink, false, 1 << 20, "test-data-write", new ChannelStats(), e -> { },
                f -> givenBack.computeIfAbsent(f, k -> new AtomicInteger()).incrementAndGet());
        w.seal(new FrameSeal(FrameSeal.Protection.ENCRYPTED, KEY));
        w.start();
        return w;
    }

    private static void await(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + what);
            Thread.sleep(2);
        }
    }

    @Test
    void shouldSendSealedFramesThatOpenToWhatWasOfferedAndGiveEachBackOnce() throws Exception {
        Sink sink = new Sink();
        Map<MediaFrame, AtomicInteger> back = new ConcurrentHashMap<>();
        DataWriter w = writer(sink, back);
        w.open(1, false, 64, new ChannelStats());
        w.open(2, true, 64, new ChannelStats());
        w.start(1);
        w.start(2);
        List<MediaFrame> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            MediaFrame video = frame(1, i, 300_000 + i);
            MediaFrame audio = frame(2, i, 1920);
            sent.add(video);
            sent.add(audio);
            assertTrue(w.offer(video));
            assertTrue(w.offer(audio));
        }
        await(() -> back.size() == sent.size(), "every frame given back");
        w.stop();
        w.join(1000);
        assertTrue(back.values().stream().allMatch(n -> n.get() == 1), "each once");

        List<MediaFrame> got = new ArrayList<>();
        DataStreamDecoder d = new DataStreamDecoder(DataStreamDecoder.Limits.DEFAULT, new DataStreamDecoder.Handler() {
            @Override
            public void onFrame(MediaFrame f) {
                got.add(f);
            }

            @Override
            public void onChannelEnded(ChannelException reason) {
                throw new AssertionError(reason);
            }
        });
        d.expectSealed(new FrameSeal(FrameSeal.Protection.ENCRYPTED, KEY));
        d.feed(ByteBuffer.wrap(sink.written()));
        assertEquals(sent.size(), got.size());
        for (MediaFrame s : sent) {
            MediaFrame g = got.stream().filter(f -> f.channel() == s.channel() && f.sequence() == s.sequence())
                    .findFirst().orElseThrow();
            assertEquals(s.payload().rewind(), g.payload(), "frame " + s);
        }
    }

    @Test
    void shouldWriteAFramesFirstBytesBeforeItsLastAreSealed() throws Exception {
        Sink sink = new Sink();
        Map<MediaFrame, AtomicInteger> back = new ConcurrentHashMap<>();
        List<Integer> givenBackAtWrite = new java.util.concurrent.CopyOnWriteArrayList<>();
        sink.beforeWrite = () -> givenBackAtWrite.add(back.size());
        DataWriter w = writer(sink, back);
        w.open(1, false, 8, new ChannelStats());
        w.start(1);
        MediaFrame big = frame(1, 0, 8 << 20); // eight writes of 1 MiB
        assertTrue(w.offer(big));
        await(() -> back.size() == 1, "the frame given back");
        await(() -> sink.written().length >= (8 << 20), "the frame written");
        w.stop();
        w.join(1000);
        // Sealed piece by piece as its fragments are cut: the app's frame (given back once it is all sealed) is still
        // held when the first MiB leaves. (Sealed whole first, it was given back before anything was written.)
        assertEquals(0, givenBackAtWrite.get(0), "writes: " + givenBackAtWrite);
        assertTrue(givenBackAtWrite.size() >= 8, "writes: " + givenBackAtWrite);
    }

    @Test
    void shouldGiveBackOnceEveryFrameWhenItsChannelClosesWhileFramesAreSealed() throws Exception {
        for (int round = 0; round < 20; round++) {
            Sink sink = new Sink();
            Map<MediaFrame, AtomicInteger> back = new ConcurrentHashMap<>();
            DataWriter w = writer(sink, back);
            w.open(1, false, 8, new ChannelStats());
            w.start(1);
            List<MediaFrame> offered = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                MediaFrame f = frame(1, i, 2_000_000);
                if (w.offer(f)) {
                    offered.add(f);
                }
                if (i == 10 + round) {
                    w.close(1); // the writer is likely sealing a frame now, outside its lock
                }
            }
            await(() -> back.size() == offered.size() && back.values().stream().mapToInt(AtomicInteger::get).sum()
                    >= offered.size(), "every frame offered given back");
            w.stop();
            w.join(1000);
            Thread.sleep(5);
            assertTrue(back.values().stream().allMatch(n -> n.get() == 1), "each exactly once, round " + round);
            assertEquals(offered.size(), back.size());
        }
    }
}
