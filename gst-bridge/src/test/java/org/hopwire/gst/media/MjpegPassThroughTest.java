package org.hopwire.gst.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.capture.SharedCaptures;
import org.hopwire.gst.device.MjpegTestCamera;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.playback.Outputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A webcam that makes MJPEG itself is lent as it made it: no decoder, no encoder on the owner. */
class MjpegPassThroughTest {
    private static final List<String> CODECS = List.of("jpegdec", "jpegenc", "videoconvert", "avdec_mjpeg",
            "x264enc", "avdec_h264", "decodebin");

    @TempDir
    Path dir;

    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
        for (String plugin : List.of("jpegenc", "jpegdec")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(org.hopwire.gst.GstRuntime.isInstalled(plugin),
                    plugin + " is missing (gstreamer1.0-plugins-good)");
        }
    }

    /** Copies of the payloads the borrower receives, up to {@code max}. */
    private static final class Received {
        final List<byte[]> payloads = Collections.synchronizedList(new ArrayList<>());
        final List<Long> pts = Collections.synchronizedList(new ArrayList<>());
        volatile int max = 0;

        void take(org.hopwire.engine.protocol.MediaFrame f) {
            if (payloads.size() < max) {
                ByteBuffer p = f.payload().duplicate();
                byte[] b = new byte[p.remaining()];
                p.get(b);
                payloads.add(b);
                pts.add(f.pts());
            }
        }
    }

    private static int indexInCycle(byte[] payload) {
        List<byte[]> cycle = MjpegTestCamera.pictures();
        for (int i = 0; i < cycle.size(); i++) {
            if (Arrays.equals(cycle.get(i), payload)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void shouldSendTheWebcamsOwnJpegBytesWithNoCodecOnTheOwner() throws Exception {
        try (MediaPair pair = new MediaPair(dir, Outputs.PREVIEW)) {
            assertTrue(pair.borrowerSession.peerCatalog().devices().stream()
                    .anyMatch(d -> d.id().equals(TestDevices.MJPEG_CAMERA_ID)), "the owner lists the test webcam");
            Received got = new Received();
            got.max = 20;
            pair.borrower.borrower().observeFrames(got::take);
            // No wish: the chooser takes the webcam's MJPEG, the only way it gives 1080p.
            Borrow b = pair.borrowerSession.borrow(TestDevices.MJPEG_CAMERA_ID, "").get(20, TimeUnit.SECONDS);
            Transfers.await(() -> got.payloads.size() >= got.max, Duration.ofSeconds(20), "20 frames");
            SharedCaptures.Tap capture = pair.owner.lender().capture(b.channel()).orElseThrow();
            assertTrue(capture.choice().deviceEncodes(), capture.choice().describe());
            assertEquals(FormatChoice.Encoding.MJPEG, capture.choice().encoding());
            List<String> kinds = capture.elementKinds();
            assertTrue(kinds.contains("appsrc") && kinds.contains("appsink"), "the device and the sink: " + kinds);
            for (String codec : CODECS) {
                assertFalse(kinds.contains(codec), "no " + codec + " on the owner: " + kinds);
            }
            int prev = -1;
            for (byte[] payload : got.payloads) {
                int at = indexInCycle(payload);
                assertTrue(at >= 0, "a received frame is byte for byte one the webcam made (" + payload.length
                        + " bytes)");
                assertTrue(at != prev, "the pictures move on");
                prev = at;
            }
            long[] steps = new long[got.pts.size() - 1];
            for (int i = 1; i < got.pts.size(); i++) {
                steps[i - 1] = got.pts.get(i) - got.pts.get(i - 1);
            }
            Arrays.sort(steps);
            long medianMs = steps[steps.length / 2] / 1_000_000;
            assertTrue(medianMs >= 25 && medianMs <= 45, "timestamped at 30 fps: median step " + medianMs + " ms");
        }
    }

    @Test
    void shouldDecodeAndEncodeAgainOnlyWhenForcedTo() throws Exception {
        try (MediaPair pair = new MediaPair(dir, Outputs.PREVIEW)) {
            Received got = new Received();
            pair.borrower.borrower().observeFrames(got::take);
            Borrow b = pair.borrowerSession.borrow(TestDevices.MJPEG_CAMERA_ID,
                    "image/jpeg,width=1920,height=1080,framerate=30/1").get(20, TimeUnit.SECONDS);
            Transfers.await(() -> pair.owner.lender().capture(b.channel()).isPresent(), Duration.ofSeconds(10),
                    "capture");
            FormatChoice passThrough = pair.owner.lender().capture(b.channel()).orElseThrow().choice();
            FormatChoice reencode = new FormatChoice(FormatChoice.Encoding.MJPEG, FormatChoice.DEVICE_JPEG, 1920, 1080,
                    30, 1, false, passThrough.bytesPerSecond(), 0, "bench: decode and encode again");
            pair.owner.lender().changeFormat(b.channel(), reencode);
            SharedCaptures.Tap capture = pair.owner.lender().capture(b.channel()).orElseThrow();
            assertTrue(capture.elementKinds().containsAll(List.of("jpegdec", "jpegenc")), capture.elementKinds()
                    .toString());
            Thread.sleep(300); // frames of the pass-through capture still in flight
            got.max = 10;
            Transfers.await(() -> got.payloads.size() >= got.max, Duration.ofSeconds(20), "10 frames");
            for (byte[] payload : got.payloads) {
                assertEquals(-1, indexInCycle(payload), "re-encoded, not the webcam's bytes");
                assertEquals(0xFF, payload[0] & 0xFF);
                assertEquals(0xD8, payload[1] & 0xFF, "still a JPEG");
            }
        }
    }
}
