package org.hopwire.gst.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.SessionHandler.LendRefused;
import org.hopwire.gst.GstAssume;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.device.SourceFactory;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.natives.GstNatives;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the lender names a device that fails to start: by GStreamer's error domain and code, so a busy camera is
 * reported as busy on a system that speaks German as on one that speaks English.
 */
class GstLenderTest {
    private static final FormatChoice RAW_QVGA = new FormatChoice(FormatChoice.Encoding.RAW, "I420", 320, 240, 30, 1,
            false, 0, 0, "test");

    private final DeviceCatalog devices = DeviceCatalog.testSourcesOnly();
    private final GstLender lender = new GstLender(devices, () -> 1_100_000_000L, FormatChooser.Options.DEFAULT);

    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
    }

    @AfterEach
    void tearDown() {
        lender.close();
        devices.close();
    }

    /**
     * A test pattern whose source, once it streams, posts GStreamer's resource error {@code code} with the text and
     * debug text given, as a camera's source does when it cannot have the camera; it delivers no frame.
     */
    private static SourceFactory failingWith(int code, String text, String debug) {
        return name -> {
            Bin bin = Gst.parseBinFromDescription("videotestsrc is-live=true ! identity name=cam", true);
            bin.setName(name);
            Element cam = bin.getElementByName("cam");
            AtomicBoolean posted = new AtomicBoolean();
            cam.getStaticPad("src").addProbe(PadProbeType.BUFFER, (pad, info) -> {
                if (posted.compareAndSet(false, true)) {
                    GstNatives.postResourceError(cam, code, text, debug);
                }
                return PadProbeReturn.DROP;
            });
            return bin;
        };
    }

    @Test
    void shouldRefuseABusyDeviceAsBusyWhenGStreamerSpeaksGerman() {
        // v4l2src's words for a camera another program holds, as the German translation has them.
        LendRefused refused = assertThrows(LendRefused.class, () -> lender.startCapture(TestDevices.camera(),
                failingWith(GstPipelineException.RESOURCE_BUSY, "Gerät »/dev/video0« ist belegt",
                        "Aufruf von S_FMT für YUY2 @ 640x480 fehlgeschlagen: Das Gerät oder die Ressource ist belegt"),
                RAW_QVGA, 0));
        assertEquals(ProtocolError.DEVICE_BUSY, refused.error(), refused.getMessage());
        assertTrue(refused.getMessage().startsWith(TestDevices.camera().name() + " is in use by another program: "),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("ist belegt"), "GStreamer's own words are kept: "
                + refused.getMessage());
    }

    @Test
    void shouldNotCallADeviceBusyJustBecauseItsTextSaysBusy() {
        String english = "Cannot identify device '/dev/video9': the USB bus is busy resetting";
        LendRefused refused = assertThrows(LendRefused.class, () -> lender.startCapture(TestDevices.camera(),
                failingWith(GstPipelineException.RESOURCE_NOT_FOUND, english, english), RAW_QVGA, 0));
        assertEquals(ProtocolError.FORMAT_NOT_POSSIBLE, refused.error(), refused.getMessage());
        assertTrue(refused.getMessage().startsWith(TestDevices.camera().name() + " cannot start: "),
                refused.getMessage());
        assertTrue(refused.getMessage().contains(english), refused.getMessage());
    }
}
