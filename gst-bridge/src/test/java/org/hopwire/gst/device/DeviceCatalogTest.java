package org.hopwire.gst.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.gst.GstAssume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class DeviceCatalogTest {
    @BeforeAll
    static void gstreamer() {
        GstAssume.installed();
    }

    @Test
    void shouldAlwaysOfferTheLabelledTestSourcesAndReportHotPlug() throws Exception {
        try (DeviceCatalog catalog = new DeviceCatalog(true)) {
            catalog.start();
            List<String> events = new CopyOnWriteArrayList<>();
            catalog.addListener(new DeviceCatalog.Listener() {
                @Override
                public void added(MediaDevice device) {
                    events.add("+" + device.id());
                }

                @Override
                public void removed(MediaDevice device) {
                    events.add("-" + device.id());
                }
            });
            assertTrue(events.containsAll(List.of("+" + TestDevices.CAMERA_ID, "+" + TestDevices.MICROPHONE_ID)));
            ControlMessage.Catalog sent = catalog.toCatalog();
            ControlMessage.Device cam = sent.devices().stream().filter(d -> d.id().equals(TestDevices.CAMERA_ID))
                    .findFirst().orElseThrow();
            assertTrue(cam.name().contains("test"), "labelled as a test source: " + cam.name());
            assertEquals(ControlMessage.Device.VIDEO, cam.kind());
            assertFalse(cam.formats().isEmpty());

            events.clear();
            catalog.testDevices().unplug(TestDevices.CAMERA_ID);
            assertEquals(List.of("-" + TestDevices.CAMERA_ID), events);
            assertTrue(catalog.find(TestDevices.CAMERA_ID).isEmpty());
            assertTrue(catalog.source(TestDevices.CAMERA_ID).isEmpty());
            catalog.testDevices().plug(TestDevices.CAMERA_ID);
            assertEquals(List.of("-" + TestDevices.CAMERA_ID, "+" + TestDevices.CAMERA_ID), events);
            assertThrows(IllegalArgumentException.class, () -> catalog.testDevices().unplug("video:/dev/video9"));
        }
    }

    @Test
    void shouldListNoTestSourcesWhenAskedNotTo() throws Exception {
        try (DeviceCatalog catalog = new DeviceCatalog(false)) {
            catalog.start();
            assertTrue(catalog.devices().stream().noneMatch(MediaDevice::test));
        }
    }

    @Test
    @Tag("hardware")
    void shouldFindARealCamera() throws Exception {
        try (DeviceCatalog catalog = new DeviceCatalog(false)) {
            catalog.start();
            assertTrue(catalog.devices().stream().anyMatch(MediaDevice::isVideo),
                    "needs a camera on this machine: " + catalog.devices());
        }
    }

    @Test
    void shouldOfferOnlyTheTestSourcesInATestOnlyCatalog() throws Exception {
        try (DeviceCatalog c = DeviceCatalog.testSourcesOnly()) {
            c.start();
            assertEquals(java.util.Set.of(TestDevices.CAMERA_ID, TestDevices.MICROPHONE_ID,
                    TestDevices.MJPEG_CAMERA_ID, TestDevices.CAPTURE_CARD_ID), java.util.Set.copyOf(c.devices()
                    .stream().map(MediaDevice::id).toList()));
            c.testDevices().unplug(TestDevices.CAMERA_ID);
            assertEquals(java.util.Set.of(TestDevices.MICROPHONE_ID, TestDevices.MJPEG_CAMERA_ID,
                    TestDevices.CAPTURE_CARD_ID), java.util.Set.copyOf(c.devices().stream().map(MediaDevice::id)
                    .toList()), "pulling a test source out still works");
            assertTrue(c.controls(TestDevices.MJPEG_CAMERA_ID).isEmpty(), "no balance acts on a webcam's own JPEG");
            assertFalse(c.needsBalance(TestDevices.MJPEG_CAMERA_ID));
            assertTrue(c.find(TestDevices.CAPTURE_CARD_ID).orElseThrow().name().contains("Test capture card"));
            assertTrue(c.controls(TestDevices.CAPTURE_CARD_ID).isEmpty(), "a capture card has no controls to lend");
        }
    }

    @Test
    void shouldNotOfferWhatHopwireItselfPublishes() {
        org.junit.jupiter.api.Assertions.assertTrue(DeviceCatalog.isHopwireOutput("audio:hopwire.mic.123.0"));
        org.junit.jupiter.api.Assertions.assertTrue(DeviceCatalog.isHopwireOutput("audio:hopwire.feed.123.0.monitor"));
        org.junit.jupiter.api.Assertions.assertTrue(DeviceCatalog.isHopwireOutput("video:hopwire.camera.123.0"));
        org.junit.jupiter.api.Assertions.assertFalse(DeviceCatalog.isHopwireOutput("audio:alsa_input.usb-mic"));
        org.junit.jupiter.api.Assertions.assertFalse(DeviceCatalog.isHopwireOutput("video:/dev/video0"));
    }
}
