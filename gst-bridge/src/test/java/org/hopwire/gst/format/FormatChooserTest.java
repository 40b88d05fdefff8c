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
    void shouldSendAudioRaw() {
        FormatChoice a = FormatChooser.choose(TestDevices.microphone(), SLOW, "", FormatChooser.Options.DEFAULT);
        assertEquals(Encoding.AUDIO, a.encoding());
        assertEquals(192_000, a.bytesPerSecond());
    }
}
