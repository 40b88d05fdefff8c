package org.hopwire.gst.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.freedesktop.gstreamer.ElementFactory;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CaptureTest {
    private static final FormatChoice RAW_QVGA = new FormatChoice(FormatChoice.Encoding.RAW, "I420", 320, 240, 30, 1,
            false, 0, 0, "test");

    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
    }

    /** Collects what a capture reports. */
    static final class Collect implements Capture.Listener {
        final List<String> caps = new CopyOnWriteArrayList<>();
        final BlockingQueue<MediaFrame> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<MediaProblem> problems = new LinkedBlockingQueue<>();

        @Override
        public void onCaps(String c) {
            caps.add(c);
        }

        @Override
        public void onFrame(MediaFrame frame) {
            frames.add(frame);
        }

        @Override
        public void onProblem(MediaProblem problem) {
            problems.add(problem);
        }
    }

    @Test
    void shouldTurnBuffersIntoFramesWithTimestampsAndTheNegotiatedCaps() throws Exception {
        Collect c = new Collect();
        try (Capture capture = Capture.start("t", new TestDevices().source(TestDevices.CAMERA_ID), RAW_QVGA, 100,
                Duration.ofSeconds(5), c)) {
            assertTrue(capture.caps().startsWith("video/x-raw, format=(string)I420, width=(int)320, height=(int)240"),
                    capture.caps());
            capture.sendTo(7);
            MediaFrame first = c.frames.poll(5, TimeUnit.SECONDS);
            MediaFrame second = c.frames.poll(5, TimeUnit.SECONDS);
            assertEquals(7, first.channel());
            assertEquals(320 * 240 * 3 / 2, first.payload().remaining(), "one I420 picture");
            assertTrue(first.sequence() >= 100 && second.sequence() == first.sequence() + 1);
            assertTrue(second.pts() > first.pts());
            assertEquals(33_333_333, first.duration(), 1);
            assertTrue(first.isKeyFrame());
            capture.release(first);
        }
    }

    @Test
    void shouldSendFromTheSamplesOwnMemoryWhileFewAreHeldAndCopyTheRest() throws Exception {
        Collect c = new Collect();
        try (Capture capture = Capture.start("t", new TestDevices().source(TestDevices.CAMERA_ID), RAW_QVGA, 0,
                Duration.ofSeconds(5), c)) {
            capture.sendTo(3);
            List<MediaFrame> out = new java.util.ArrayList<>();
            for (int i = 0; i < Capture.HELD_SAMPLES + 2; i++) {
                out.add(c.frames.poll(5, TimeUnit.SECONDS));
            }
            assertEquals(Capture.HELD_SAMPLES, capture.heldSamples(), "the first frames hold their samples");
            // Given back, a held frame lets its sample go; the next frame may hold one again.
            capture.release(out.get(0));
            assertEquals(Capture.HELD_SAMPLES - 1, capture.heldSamples());
            MediaFrame next;
            do {
                next = c.frames.poll(5, TimeUnit.SECONDS);
                out.add(next);
            } while (capture.heldSamples() < Capture.HELD_SAMPLES);
            for (MediaFrame f : out) {
                assertEquals(320 * 240 * 3 / 2, f.payload().remaining(), "one I420 picture, held or copied");
            }
            for (MediaFrame f : out.subList(1, out.size())) {
                capture.release(f);
            }
            assertEquals(0, capture.heldSamples(), "every sample let go");
        }
    }

    @Test
    void shouldReportTheElementAndDebugTextWhenTheDeviceCannotOpen() {
        GstPipelineException e = assertThrows(GstPipelineException.class, () -> Capture.start("missing-file",
                name -> {
                    var src = ElementFactory.make("filesrc", name);
                    src.set("location", "/nonexistent/hopwire-camera");
                    return src;
                }, RAW_QVGA, 0, Duration.ofSeconds(5), new Collect()));
        assertEquals("src", e.element());
        assertTrue(e.getMessage().toLowerCase().contains("not found") || e.getMessage().contains("No such"),
                e.getMessage());
        assertTrue(e.debug().contains("/nonexistent/hopwire-camera"), "debug text: " + e.debug());
        // The kind of error, which does not change with the language: filesrc's GST_RESOURCE_ERROR_NOT_FOUND.
        assertEquals(GstPipelineException.RESOURCE_ERROR, e.domain());
        assertEquals(GstPipelineException.RESOURCE_NOT_FOUND, e.code());
        assertFalse(e.isResourceBusy());
    }

    @Test
    void shouldFailTheCaptureWhenItsTestSourceIsPulledOut() throws Exception {
        TestDevices devices = new TestDevices();
        Collect c = new Collect();
        try (Capture capture = Capture.start("t", devices.source(TestDevices.CAMERA_ID), RAW_QVGA, 0,
                Duration.ofSeconds(5), c)) {
            devices.unplug(TestDevices.CAMERA_ID);
            MediaProblem p = c.problems.poll(5, TimeUnit.SECONDS);
            assertTrue(p != null && p.severity() == MediaProblem.Severity.ERROR, String.valueOf(p));
            assertTrue(p.element().startsWith("gone-"), p.toString());
            assertEquals(GstPipelineException.RESOURCE_ERROR, p.domain(), p.toString());
            assertEquals(GstPipelineException.RESOURCE_READ, p.code(), p.toString());
            assertFalse(devices.present().stream().anyMatch(d -> d.id().equals(TestDevices.CAMERA_ID)));
        }
    }
}
