package org.hopwire.gst.playback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.natives.WrappedMemory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A video frame in direct memory is played without a copy: GStreamer reads it where it is, and it comes back to its
 * owner exactly once, when GStreamer lets go of it, also when the pipeline is torn down with frames inside.
 */
class PlaybackWrapTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final String CAPS = "video/x-raw,format=NV12,width=" + WIDTH + ",height=" + HEIGHT
            + ",framerate=30/1";

    @BeforeAll
    static void gstreamer() {
        org.hopwire.gst.GstAssume.installed();
    }

    /** Counts every frame handed back, by identity. */
    private static final class Returns implements Consumer<MediaFrame> {
        final Map<MediaFrame, AtomicInteger> times = new ConcurrentHashMap<>();

        @Override
        public void accept(MediaFrame f) {
            times.computeIfAbsent(f, k -> new AtomicInteger()).incrementAndGet();
        }

        int total() {
            return times.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        boolean eachOnce(List<MediaFrame> frames) {
            return frames.stream().allMatch(f -> times.containsKey(f) && times.get(f).get() == 1)
                    && times.size() == frames.size();
        }
    }

    /** A grey NV12 picture after 8 bytes that are not part of it, as a sealed frame's payload sits in its buffer. */
    private static MediaFrame frame(int i) {
        int size = WIDTH * HEIGHT * 3 / 2;
        ByteBuffer b = ByteBuffer.allocateDirect(size + 8 + 16);
        for (int j = 0; j < WIDTH * HEIGHT; j++) {
            b.put(8 + j, (byte) 200);
        }
        for (int j = WIDTH * HEIGHT; j < size; j++) {
            b.put(8 + j, (byte) 128);
        }
        b.position(8).limit(8 + size);
        return new MediaFrame(0, i, i * 33_333_333L, -1, 33_333_333L, FragmentHeader.KEY_FRAME, b);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void shouldShowAWrappedFrameAndGiveEveryFrameBackOnceGStreamerFreesIt() throws Exception {
        Returns returns = new Returns();
        List<MediaFrame> frames = new java.util.ArrayList<>();
        long wrappedBefore = WrappedMemory.counts()[0];
        try (Playback p = Playback.start("wrap-shown", CAPS, Outputs.PREVIEW, new Playback.Listener() { })) {
            PreviewFrame shown = null;
            for (int i = 0; i < 30; i++) {
                MediaFrame f = frame(i);
                frames.add(f);
                p.push(f, returns);
                Thread.sleep(20);
                PreviewFrame got = p.preview().take();
                if (got != null) {
                    if (shown != null) {
                        shown.close();
                    }
                    shown = got;
                }
            }
            assertNotNull(shown, "a picture reached the preview");
            // Grey 200 in limited-range YUV is about 214 in BGRA: the bytes GStreamer read are the frame's, from its
            // position (the 8 bytes before it are zeros and would show black).
            ByteBuffer px = shown.pixels();
            int blue = px.get(px.position()) & 0xff;
            int mid = px.get(px.position() + (shown.width() * (shown.height() / 2) + shown.width() / 2) * 4) & 0xff;
            assertTrue(Math.abs(blue - 214) < 8 && Math.abs(mid - 214) < 8, "grey picture: " + blue + ", " + mid);
            shown.close();
            await(() -> returns.total() == frames.size() && p.framesInFlight() == 0, "every frame came back");
            assertTrue(returns.eachOnce(frames), "each frame exactly once");
        }
        assertTrue(WrappedMemory.counts()[0] - wrappedBefore >= 25, "frames were wrapped, not copied");
    }

    @Test
    void shouldGiveBackFramesStillInThePipelineWhenItIsTornDown() throws Exception {
        Returns returns = new Returns();
        List<MediaFrame> frames = new java.util.ArrayList<>();
        Playback p = Playback.start("wrap-teardown", CAPS, Outputs.PREVIEW, new Playback.Listener() { });
        for (int i = 0; i < 40; i++) {
            MediaFrame f = frame(i);
            frames.add(f);
            p.push(f, returns); // as fast as possible: some are inside GStreamer when it closes
        }
        p.close();
        MediaFrame late = frame(99);
        frames.add(late);
        p.push(late, returns); // after close: handed back at once
        await(() -> returns.total() >= frames.size(), "every frame came back");
        Thread.sleep(50); // a second hand-back would come now
        assertTrue(returns.eachOnce(frames), "each frame exactly once: " + returns.times.values());
        assertEquals(0, p.framesInFlight());
    }

    @Test
    void shouldCopySmallOrHeapFramesAndGiveThemBackAtOnce() throws Exception {
        Returns returns = new Returns();
        try (Playback p = Playback.start("wrap-heap", CAPS, Outputs.PREVIEW, new Playback.Listener() { })) {
            MediaFrame heap = new MediaFrame(0, 0, 0, -1, 33_333_333L, FragmentHeader.KEY_FRAME,
                    ByteBuffer.allocate(WIDTH * HEIGHT * 3 / 2));
            p.push(heap, returns);
            assertEquals(1, returns.total(), "copied, so given back before push returns");
            assertEquals(0, p.framesInFlight());
        }
    }

    @Test
    void shouldDropNewFramesRatherThanLetGStreamerHoldMoreThanItsBound() throws Exception {
        // Pushed as fast as the loop goes, far faster than 30 fps: what GStreamer holds never passes the bound, and
        // every frame, dropped or played, comes back once.
        Returns returns = new Returns();
        List<MediaFrame> frames = new java.util.ArrayList<>();
        Playback p = Playback.start("wrap-bound", CAPS, Outputs.PREVIEW, new Playback.Listener() { });
        try {
            for (int i = 0; i < 200; i++) {
                MediaFrame f = frame(i);
                frames.add(f);
                p.push(f, returns);
                assertTrue(p.framesInFlight() <= Playback.MAX_IN_FLIGHT_FRAMES, "in flight: " + p.framesInFlight());
            }
            assertTrue(p.framesDroppedInFlight() > 0 || returns.total() > 150, "the bound dropped some, or GStreamer"
                    + " kept up: " + p.framesDroppedInFlight() + " dropped, " + returns.total() + " back");
        } finally {
            p.close();
        }
        await(() -> returns.total() >= frames.size(), "every frame came back");
        assertTrue(returns.eachOnce(frames));
    }
}
