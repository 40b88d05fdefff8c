package org.hopwire.gst.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.hopwire.gst.GstAssume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReplayCameraTest {
    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
    }

    /** The replayed camera, held to {@code caps}, into an appsink that keeps one sample and waits to be read. */
    private static Pipeline pipeline(String caps) {
        Pipeline p = new Pipeline("replay-test");
        Bin src = ReplayCamera.source("gone-test");
        Element filter = ElementFactory.make("capsfilter", "fmt");
        filter.setAsString("caps", caps);
        AppSink sink = (AppSink) ElementFactory.make("appsink", "out");
        sink.set("sync", false);
        sink.set("max-buffers", 1);
        sink.set("drop", false);
        p.addMany(src, filter, sink);
        assertTrue(src.link(filter) && filter.link(sink));
        return p;
    }

    private static byte[] bytes(Sample s) {
        Buffer b = s.getBuffer();
        ByteBuffer m = b.map(false);
        byte[] out = new byte[m.remaining()];
        m.get(out);
        b.unmap();
        return out;
    }

    @Test
    void shouldReplayTheCycleLiveAtTheAskedFormatAndRate() {
        String caps = "video/x-raw,format=NV12,width=320,height=240,framerate=60/1";
        int cycle = ReplayCamera.picturesFor(ReplayCamera.frameBytes("NV12", 320, 240));
        assertEquals(ReplayCamera.MAX_PICTURES, cycle);
        Pipeline p = pipeline(caps);
        AppSink sink = (AppSink) p.getElementByName("out");
        List<Long> pts = new ArrayList<>();
        List<byte[]> pictures = new ArrayList<>();
        try {
            p.play();
            for (int i = 0; i < cycle + 2; i++) {
                Sample s = sink.pullSample();
                assertNotNull(s, "picture " + i);
                try {
                    if (i == 0) {
                        Caps got = s.getCaps();
                        assertTrue(got.isSubset(new Caps(caps)), "as asked: " + got);
                    }
                    pts.add(s.getBuffer().getPresentationTimestamp());
                    pictures.add(bytes(s));
                } finally {
                    s.dispose();
                }
            }
        } finally {
            p.setState(State.NULL);
            p.dispose();
        }
        assertEquals(ReplayCamera.frameBytes("NV12", 320, 240), pictures.get(0).length);
        // Live, stamped as they leave: a picture every 1/60 s on the clock (an unpaced source would stamp them
        // microseconds apart).
        long span = pts.get(pts.size() - 1) - pts.get(1);
        double fps = (pts.size() - 2) * 1e9 / span;
        assertTrue(fps > 50 && fps < 70, "about 60 pictures a second on the clock: " + fps);
        for (int i = 1; i < pts.size(); i++) {
            assertTrue(pts.get(i) > pts.get(i - 1), "timestamps rise: " + pts);
        }
        // The pattern moves, and the cycle repeats the very same pictures.
        assertFalse(java.util.Arrays.equals(pictures.get(0), pictures.get(1)));
        assertTrue(java.util.Arrays.equals(pictures.get(0), pictures.get(cycle)));
        assertTrue(java.util.Arrays.equals(pictures.get(1), pictures.get(cycle + 1)));
    }

    @Test
    void shouldDropPicturesWhenNobodyReadsRatherThanQueueThem() throws Exception {
        Pipeline p = pipeline("video/x-raw,format=I420,width=320,height=240,framerate=30/1");
        AppSink sink = (AppSink) p.getElementByName("out");
        AppSrc feed = (AppSrc) ((Bin) p.getElements().stream().filter(e -> e instanceof Bin).findFirst()
                .orElseThrow()).getElementByName("feed");
        try {
            p.play();
            Sample first = sink.pullSample();
            long firstPts = first.getBuffer().getPresentationTimestamp();
            first.dispose();
            // Nobody reads for a second (30 pictures' time): the appsink holds one, its thread waits with one.
            long until = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < until) {
                long level = ((Number) feed.get("current-level-buffers")).longValue();
                assertTrue(level <= 2, "at most two pictures wait in the source: " + level);
                Thread.sleep(20);
            }
            long last = firstPts;
            for (int i = 0; i < 5; i++) {
                Sample s = sink.pullSample();
                last = s.getBuffer().getPresentationTimestamp();
                s.dispose();
            }
            // Queued, the fifth picture read after the wait would be the sixth taken (200 ms after the first);
            // dropped, it is one taken near the end of the wait.
            assertTrue(last - firstPts > 700_000_000L, "old pictures dropped: " + (last - firstPts) / 1e6 + " ms");
        } finally {
            p.setState(State.NULL);
            p.dispose();
        }
    }

    @Test
    void shouldTakeTheFirstRawFormatTheCaptureAcceptsAndFillWhatItLeavesOpen() {
        assertEquals("video/x-raw,format=NV12,width=1920,height=1080,framerate=30/1,pixel-aspect-ratio=1/1",
                ReplayCamera.fixate(new Caps("video/x-raw,format={AYUV,I420,NV12},width=[16,4096],"
                        + "height=[16,4096],framerate=[0/1,120/1]")));
        assertEquals("video/x-raw,format=NV12,width=3840,height=2160,framerate=30/1,pixel-aspect-ratio=1/1",
                ReplayCamera.fixate(new Caps("video/x-raw,format=NV12,width=3840,height=2160,framerate=30/1")));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ReplayCamera.fixate(new Caps("image/jpeg,width=1920,height=1080")));
        assertTrue(e.getMessage().contains("image/jpeg"), e.getMessage());
        // 4K NV12 (12.4 MB a picture): a cycle within the memory bound, still long enough to move.
        assertEquals(3840L * 2160 * 3 / 2, ReplayCamera.frameBytes("NV12", 3840, 2160));
        assertEquals(21, ReplayCamera.picturesFor(ReplayCamera.frameBytes("NV12", 3840, 2160)));
        assertEquals(ReplayCamera.MIN_PICTURES, ReplayCamera.picturesFor(100L << 20));
    }

    @Test
    void shouldBeTheTestCamerasSourceOnlyWhenSelected() {
        TestDevices devices = new TestDevices();
        String before = System.getProperty(ReplayCamera.PROPERTY);
        try {
            System.clearProperty(ReplayCamera.PROPERTY);
            Bin drawn = (Bin) devices.source(TestDevices.CAMERA_ID).create("cam");
            assertNull(drawn.getElementByName("feed"), "draws its pictures by default");
            System.setProperty(ReplayCamera.PROPERTY, "replay");
            Bin replayed = (Bin) devices.source(TestDevices.CAMERA_ID).create("cam");
            assertTrue(replayed.getElementByName("feed") instanceof AppSrc);
            assertEquals("cam", replayed.getName());
            drawn.dispose();
            replayed.dispose();
        } finally {
            if (before == null) {
                System.clearProperty(ReplayCamera.PROPERTY);
            } else {
                System.setProperty(ReplayCamera.PROPERTY, before);
            }
        }
    }
}
