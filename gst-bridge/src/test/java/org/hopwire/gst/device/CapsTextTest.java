package org.hopwire.gst.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hopwire.engine.protocol.ControlMessage.Format;
import org.junit.jupiter.api.Test;

class CapsTextTest {
    /** What a UVC webcam's device caps look like. */
    static final String WEBCAM = "video/x-raw, format=(string)YUY2, width=(int)640, height=(int)480, "
            + "framerate=(fraction){ 30/1, 15/1 }; image/jpeg, width=(int)1920, height=(int)1080, "
            + "framerate=(fraction)30/1; video/x-raw(memory:DMABuf), format=(string){ NV12, I420 }, "
            + "width=(int)[ 1, 3840 ], height=(int)[ 1, 2160 ], framerate=(fraction)[ 0/1, 60/1 ]";

    @Test
    void shouldReadEveryCombinationOfAWebcamsCaps() {
        List<Format> f = CapsText.formats(WEBCAM);
        assertTrue(f.contains(new Format("video/x-raw", "YUY2", 640, 480, 30, 1)));
        assertTrue(f.contains(new Format("video/x-raw", "YUY2", 640, 480, 15, 1)));
        assertTrue(f.contains(new Format("image/jpeg", "", 1920, 1080, 30, 1)));
        assertTrue(f.contains(new Format("video/x-raw", "NV12", 3840, 2160, 60, 1)), "ranges count at their top");
        assertTrue(f.contains(new Format("video/x-raw", "I420", 3840, 2160, 60, 1)));
        assertEquals(5, f.size());
    }

    @Test
    void shouldReadAudioCapsWithTheirRate() {
        assertEquals(List.of(new Format("audio/x-raw", "S16LE", 0, 0, 48000, 1)),
                CapsText.formats("audio/x-raw, format=(string)S16LE, rate=(int)48000, channels=(int)2"));
    }

    @Test
    void shouldSummariseFormatsForPeople() {
        assertEquals("raw (YUY2, NV12, I420) 640x480 to 3840x2160 at 15/30/60 fps; MJPEG 1920x1080 at 30 fps",
                FormatSummary.describe(CapsText.formats(WEBCAM)));
        assertEquals("no formats reported", FormatSummary.describe(List.of()));
        assertTrue(TestDevices.camera().summary().startsWith("Test camera (test pattern): raw (NV12, I420, YUY2)"));
    }

    @Test
    void shouldSurviveOddCapsText() {
        assertEquals(List.of(), CapsText.formats(""));
        assertEquals(List.of(), CapsText.formats(null));
        assertEquals(List.of(new Format("video/x-h264", "", 0, 0, 0, 1)),
                CapsText.formats("video/x-h264, stream-format=(string)\"byte-stream\""));
    }
}
