package org.hopwire.gst.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.GstPipelineException;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.PreviewFrame;
import org.junit.jupiter.api.Test;

class LocalPreviewTest {
    @org.junit.jupiter.api.BeforeAll
    static void gstreamer() {
        org.hopwire.gst.GstAssume.installed();
    }

    @Test
    void shouldShowALocalCameraAt720pWithNoSessionInBetween() throws Exception {
        try (DeviceCatalog devices = DeviceCatalog.testSourcesOnly()) {
            devices.start();
            try (LocalPreview preview = LocalPreview.start(devices, TestDevices.CAMERA_ID)) {
                var playback = preview.playback().orElseThrow();
                Transfers.await(() -> playback.preview().offered() >= 5, Duration.ofSeconds(10), "pictures");
                PreviewFrame f = playback.preview().take();
                assertNotNull(f, "the newest picture waits in the slot");
                assertEquals(1280, f.width());
                assertEquals(720, f.height());
                f.close();
                assertTrue(preview.choice().describe().startsWith("raw"), preview.choice().describe());
            }
        }
    }

    @Test
    void shouldExplainWhyAMicrophoneOrAMissingDeviceHasNoPreview() throws Exception {
        try (DeviceCatalog devices = DeviceCatalog.testSourcesOnly()) {
            devices.start();
            GstPipelineException mic = assertThrows(GstPipelineException.class,
                    () -> LocalPreview.start(devices, TestDevices.MICROPHONE_ID));
            assertTrue(mic.getMessage().contains("not a camera"), mic.getMessage());
            GstPipelineException gone = assertThrows(GstPipelineException.class,
                    () -> LocalPreview.start(devices, "v4l2:/dev/video7"));
            assertTrue(gone.getMessage().contains("no device"), gone.getMessage());
        }
    }
}
