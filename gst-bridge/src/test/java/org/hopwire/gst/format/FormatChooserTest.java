package org.hopwire.gst.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlMessage.Format;
import org.hopwire.gst.device.MediaDevice;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice.Encoding;
import org.junit.jupiter.api.Test;

class FormatChooserTest {
    private static final long USB4_40G = 1_100_000_000L;
    private static final long USB3_5G = 400_000_000L;
    private static final long SLOW = 20_000_000L;
    private static final MediaDevice WEBCAM = new MediaDevice("video:/dev/video0", ControlMessage.Device.VIDEO,
            "Webcam", false, List.of(new Format("video/x-raw", "YUY2", 1920, 1080, 5, 1),
            new Format("video/x-raw", "YUY2", 640, 480, 30, 1), new Format("image/jpeg", "", 1920, 1080, 30, 1),
            new Format("image/jpeg", "", 1920, 1080, 60, 1)));

    @Test
    void shouldSendRawVideoWhenTheLinkCarriesIt() {
        FormatChoice c = FormatChooser.choose(TestDevices.camera(), USB4_40G, "", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.RAW, c.encoding());
        assertEquals("NV12", c.sourceFormat(), "the fewest bytes per pixel");
        assertEquals(1920, c.width());
        assertEquals(60, c.fpsNumerator(), "1080p60 over 4K30: smooth first, then largest");
        assertEquals(186_624_000L, c.bytesPerSecond(), "1920 x 1080 x 1.5 x 60");
        assertTrue(c.reason().contains("raw fits"), c.reason());
        assertTrue(c.describe().startsWith("raw NV12 1920x1080 at 60 fps"), c.describe());
    }

    @Test
    void shouldUseTheCamerasOwnMjpegWhenRawDoesNotFit() {
        FormatChoice c = FormatChooser.choose(WEBCAM, USB3_5G / 2, "", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.MJPEG, c.encoding());
        assertTrue(c.deviceEncodes(), "the webcam's MJPEG, no encoder on this host");
        assertEquals(1920, c.width());
        assertEquals(60, c.fpsNumerator());
        assertTrue(c.reason().contains("raw needs 249 MB/s"), c.reason());
    }

    @Test
    void shouldSendAWebcamsMjpegAsItComesWhereItGivesNoRaw() {
        // Raw would fit the link, but the device has no raw at 1080p: no decoder and encoder on this host.
        FormatChoice c = FormatChooser.choose(TestDevices.mjpegCamera(), USB4_40G, "", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.MJPEG, c.encoding());
        assertTrue(c.deviceEncodes(), c.describe());
        assertEquals("", c.sourceFormat());
        assertTrue(c.describe().startsWith("MJPEG (from the device) 1920x1080 at 30 fps"), c.describe());
        assertTrue(FormatChooser.options(TestDevices.mjpegCamera(), USB4_40G, FormatChooser.Options.DEFAULT).stream()
                .noneMatch(o -> o.encoding() == Encoding.RAW), "no raw offered where the device has none");
    }

    @Test
    void shouldEncodeFromI420WhereTheDeviceGivesItAndSendRawInTheFewestBytes() {
        // The test camera gives NV12, I420 and YUY2: raw goes as NV12, an encoder is fed I420 without a conversion.
        FormatChoice raw = FormatChooser.choose(TestDevices.camera(), USB4_40G, "", FormatChooser.Options.DEFAULT);
        assertEquals("NV12", raw.sourceFormat());
        FormatChoice mjpeg = FormatChooser.choose(TestDevices.camera(), USB4_40G,
                "image/jpeg,width=1920,height=1080,framerate=30/1", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.MJPEG, mjpeg.encoding());
        assertEquals("I420", mjpeg.sourceFormat());
        FormatChoice h264 = FormatChooser.choose(TestDevices.camera(), SLOW, "", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.H264, h264.encoding());
        assertEquals("I420", h264.sourceFormat());
        // A webcam with only YUY2 at this size is encoded from YUY2 (converted by the pipeline).
        FormatChoice webcam = FormatChooser.choose(WEBCAM, USB4_40G, "image/jpeg,width=640,height=480",
                new FormatChooser.Options(FormatPolicy.MJPEG, true, true));
        assertEquals(640, webcam.width());
        assertFalse(webcam.deviceEncodes());
        assertEquals("YUY2", webcam.sourceFormat());
    }

    @Test
    void shouldEncodeH264OnASlowLinkOrMjpegWhenX264IsMissing() {
        FormatChoice h = FormatChooser.choose(TestDevices.camera(), SLOW, "", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.H264, h.encoding());
        assertTrue(h.bitrateKbps() > 0 && h.bitrateKbps() <= 8000, "bitrate " + h.bitrateKbps());
        assertTrue(h.bytesPerSecond() <= SLOW / 2, "fits in half the link");
        FormatChoice m = FormatChooser.choose(TestDevices.camera(), SLOW, "",
                new FormatChooser.Options(FormatPolicy.AUTOMATIC, true, false));
        assertEquals(Encoding.MJPEG, m.encoding());
        assertTrue(m.reason().contains("frames will drop"), m.reason());
    }

    @Test
    void shouldFollowTheBorrowersCapsAndThePersonsPolicy() {
        FormatChoice wish = FormatChooser.choose(TestDevices.camera(), USB4_40G,
                "image/jpeg,width=1280,height=720,framerate=30/1", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.MJPEG, wish.encoding());
        assertEquals(1280, wish.width());
        assertEquals(30, wish.fpsNumerator());
        assertFalse(wish.deviceEncodes(), "the test camera has no MJPEG of its own: jpegenc");
        FormatChoice forced = FormatChooser.choose(TestDevices.camera(), USB4_40G, "",
                FormatChooser.Options.DEFAULT.withPolicy(FormatPolicy.H264));
        assertEquals(Encoding.H264, forced.encoding());
        FormatChoice noX264 = FormatChooser.choose(TestDevices.camera(), USB4_40G, "",
                new FormatChooser.Options(FormatPolicy.H264, true, false));
        assertEquals(Encoding.MJPEG, noX264.encoding());
        assertTrue(noX264.reason().contains("gstreamer1.0-plugins-ugly"), noX264.reason());
        assertEquals(FormatPolicy.H264, FormatPolicy.parse("h.264"));
        assertThrows(IllegalArgumentException.class, () -> FormatPolicy.parse("vp9"));
    }

    @Test
    void shouldRateEveryOptionOfTheDeviceOnTheLinkWithItsReason() {
        List<FormatChooser.Option> all = FormatChooser.options(TestDevices.camera(), USB4_40G,
                FormatChooser.Options.DEFAULT);
        assertEquals(9 * 3, all.size(), "4 sizes at 30 and 60 fps and 4K at 30, each raw, MJPEG and H.264");
        FormatChooser.Option first = all.get(0);
        assertEquals(3840, first.width(), "largest first");
        assertEquals(Encoding.RAW, first.encoding(), "raw before the encodings");
        FormatChooser.Option raw1080p60 = all.stream().filter(o -> o.encoding() == Encoding.RAW
                && o.width() == 1920 && o.fpsNumerator() == 60).findFirst().orElseThrow();
        assertEquals("raw: fits, 187 MB/s of 1.1 GB/s", raw1080p60.reason());
        assertEquals("video/x-raw,width=1920,height=1080,framerate=60/1", raw1080p60.caps());
        // Rated as the chooser plans: asking for an option's caps gives that option.
        FormatChoice chosen = FormatChooser.choose(TestDevices.camera(), USB4_40G, raw1080p60.caps(),
                FormatChooser.Options.DEFAULT);
        assertEquals(raw1080p60.bytesPerSecond(), chosen.bytesPerSecond());
        assertEquals(FormatChooser.Verdict.FITS, first.verdict(), "4K30 raw: 373 MB/s, under half of 1.1 GB/s");
        List<FormatChooser.Option> slow = FormatChooser.options(TestDevices.camera(), USB3_5G,
                FormatChooser.Options.DEFAULT);
        FormatChooser.Option raw4k = slow.get(0);
        assertEquals(FormatChooser.Verdict.TIGHT, raw4k.verdict(), "373 MB/s: over half of 400, under all of it");
        assertEquals("raw: tight, 373 MB/s of 400 MB/s", raw4k.reason());
        FormatChooser.Option raw1080p60slow = slow.stream().filter(o -> o.encoding() == Encoding.RAW
                && o.width() == 1920 && o.fpsNumerator() == 60).findFirst().orElseThrow();
        assertEquals(FormatChooser.Verdict.FITS, raw1080p60slow.verdict());
        List<FormatChooser.Option> tiny = FormatChooser.options(TestDevices.camera(), SLOW,
                FormatChooser.Options.DEFAULT);
        FormatChooser.Option rawOnSlow = tiny.get(0);
        assertEquals(FormatChooser.Verdict.TOO_MUCH, rawOnSlow.verdict());
        assertFalse(rawOnSlow.selectable(), "what the link cannot carry is not offered");
        assertEquals("raw: too much, 373 MB/s of 20 MB/s", rawOnSlow.reason());
        assertTrue(tiny.stream().anyMatch(o -> o.encoding() == Encoding.H264 && o.selectable()));
        assertEquals(List.of(), FormatChooser.options(TestDevices.microphone(), USB4_40G,
                FormatChooser.Options.DEFAULT), "audio has nothing to choose");
        assertEquals(9 * 2, FormatChooser.options(TestDevices.camera(), USB4_40G,
                new FormatChooser.Options(FormatPolicy.AUTOMATIC, true, false)).size(), "no H.264 without x264enc");
    }

    @Test
    void shouldSendAudioRaw() {
        FormatChoice a = FormatChooser.choose(TestDevices.microphone(), SLOW, "", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.AUDIO, a.encoding());
        assertEquals(192_000, a.bytesPerSecond());
    }
}
