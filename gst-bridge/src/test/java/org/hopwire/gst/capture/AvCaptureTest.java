package org.hopwire.gst.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.MediaProblem;
import org.hopwire.gst.device.MediaDevice;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.playback.AvSync;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test capture card captured in one pipeline: both halves deliver, and its tick really is one instant at the
 * source (the picture's flip and the beep's onset carry the same timestamp), which every later measurement of the
 * borrower's A/V offset takes for granted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AvCaptureTest {
    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
    }

    static FormatChoice[] choices() {
        MediaDevice card = TestDevices.captureCard();
        FormatChoice video = FormatChooser.choose(card.part(ControlMessage.Device.VIDEO), 1_100_000_000L, "",
                FormatChooser.Options.DEFAULT);
        FormatChoice audio = FormatChooser.choose(card.part(ControlMessage.Device.AUDIO), 1_100_000_000L, "",
                FormatChooser.Options.DEFAULT);
        return new FormatChoice[] {video, audio};
    }

    private static final class Collect implements AvCapture.Listener {
        final BlockingQueue<MediaFrame> video = new LinkedBlockingQueue<>();
        final BlockingQueue<MediaFrame> audio = new LinkedBlockingQueue<>();
        final BlockingQueue<MediaProblem> problems = new LinkedBlockingQueue<>();

        @Override
        public void onFrame(boolean isAudio, MediaFrame frame) {
            (isAudio ? audio : video).add(frame);
        }

        @Override
        public void onProblem(MediaProblem problem) {
            problems.add(problem);
        }
    }

    @Test
    void shouldFlipThePictureAndStartTheBeepAtTheSameTimestampEverySecond() throws Exception {
        FormatChoice[] c = choices();
        assertEquals(FormatChoice.Encoding.RAW, c[0].encoding());
        assertEquals(FormatChoice.Encoding.AUDIO, c[1].encoding());
        Collect got = new Collect();
        TestDevices devices = new TestDevices();
        try (AvCapture capture = AvCapture.start("card", devices.source(TestDevices.CAPTURE_CARD_ID), c[0], c[1],
                Duration.ofSeconds(5), got)) {
            assertTrue(capture.videoCaps().startsWith("video/x-raw"), capture.videoCaps());
            assertTrue(capture.audioCaps().startsWith("audio/x-raw"), capture.audioCaps());
            capture.sendTo(0, 1);
            List<Long> flips = new ArrayList<>();
            List<Long> beeps = new ArrayList<>();
            Boolean light = null;
            long quietUntil = Long.MIN_VALUE;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int w = c[0].width();
            int h = c[0].height();
            // Until three flips and a beep at or after the third: the card may beep at its very first sample, where
            // no flip can be seen (a flip needs a frame before it), and the video may run ahead of the sound.
            while ((flips.size() < 3 || beeps.isEmpty() || beeps.get(beeps.size() - 1) < flips.get(2) - 1_000_000L)
                    && System.nanoTime() < deadline) {
                for (MediaFrame f; (f = got.video.poll()) != null; ) {
                    boolean l = AvSync.meanLuma(f.payload(), w, h) > 128;
                    if (light != null && l != light) {
                        flips.add(f.pts());
                    }
                    light = l;
                    capture.release(f);
                }
                for (MediaFrame f; (f = got.audio.poll()) != null; ) {
                    int at = AvSync.firstLoud(f.payload(), 2);
                    long onset = f.pts() + at * 1_000_000_000L / 48_000;
                    if (at >= 0 && onset > quietUntil) {
                        beeps.add(onset);
                        quietUntil = onset + 500_000_000L; // the beep's own later buffers are not new onsets
                    }
                    capture.release(f);
                }
                Thread.sleep(10);
            }
            assertTrue(flips.size() >= 3 && beeps.size() >= 3, "flips " + flips + ", beeps " + beeps
                    + ", problems " + got.problems);
            for (int i = 0; i < 3; i++) {
                long flip = flips.get(i);
                long beep = beeps.stream().min((a, b) -> Long.compare(Math.abs(a - flip), Math.abs(b - flip)))
                        .orElseThrow();
                // The flip lands on the frame whose timestamp is the whole second; the beep on its first sample
                // (a sample is 21 us; the sine's first samples are below the onset level for a sample or two).
                assertTrue(Math.abs(flip - beep) < 1_000_000L, "flip at " + flip + " ns, beep at " + beep + " ns");
                assertEquals(0, flip % TestDevices.CARD_TICK_NS, "the flip is on a whole second: " + flip);
            }
            assertTrue(capture.videoFrames() > 0 && capture.audioFrames() > 0);
        }
    }

    @Test
    void shouldFailBothHalvesWhenTheCardIsUnplugged() throws Exception {
        FormatChoice[] c = choices();
        Collect got = new Collect();
        TestDevices devices = new TestDevices();
        try (AvCapture capture = AvCapture.start("card", devices.source(TestDevices.CAPTURE_CARD_ID), c[0], c[1],
                Duration.ofSeconds(5), got)) {
            capture.sendTo(0, 1);
            devices.unplug(TestDevices.CAPTURE_CARD_ID);
            MediaProblem p = got.problems.poll(5, TimeUnit.SECONDS);
            assertNotNull(p, "the capture heard the card go");
            assertEquals(MediaProblem.Severity.ERROR, p.severity());
            assertTrue(devices.present().stream().noneMatch(d -> d.id().equals(TestDevices.CAPTURE_CARD_ID)));
        }
    }
}
