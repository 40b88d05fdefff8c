package org.hopwire.app.ui.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;

import org.hopwire.app.core.Snapshot;
import org.junit.jupiter.api.Test;

class DeviceLendsTest {
    private static final UUID DEMO = new UUID(1, 1);
    private static final UUID OFFICE = new UUID(2, 2);
    private static final UUID STUDIO = new UUID(3, 3);

    private static Snapshot.Lend lend(UUID peer, String peerName, int channel, String device, String format) {
        return new Snapshot.Lend(peer, peerName, channel, device, device.equals("test:camera") ? "Test camera"
                : "Test microphone", format);
    }

    @Test
    void shouldShowOneRowPerDeviceNamingEveryBorrower() {
        List<DeviceLends> rows = DeviceLends.of(List.of(
                lend(DEMO, "Demo laptop", 1, "test:camera", "raw NV12 320x240"),
                lend(DEMO, "Demo laptop", 2, "test:microphone", "audio S16LE"),
                lend(OFFICE, "Office PC", 1, "test:camera", "MJPEG 320x240"),
                lend(STUDIO, "Studio", 4, "test:camera", "MJPEG 320x240")));
        assertEquals(2, rows.size());
        DeviceLends camera = rows.get(0);
        assertEquals("test:camera", camera.deviceId());
        assertEquals(List.of(DEMO, OFFICE, STUDIO), camera.lends().stream().map(Snapshot.Lend::peer).toList());
        assertEquals("Test camera: in use by Demo laptop, Office PC and Studio", camera.text());
        assertEquals("Demo laptop: sent as raw NV12 320x240\nOffice PC: sent as MJPEG 320x240\n"
                + "Studio: sent as MJPEG 320x240", camera.tip());
        assertEquals("Test microphone: in use by Demo laptop", rows.get(1).text());
        assertEquals("Sent as audio S16LE", rows.get(1).tip());
    }

    @Test
    void shouldNameTwoBorrowersWithAnd() {
        DeviceLends two = DeviceLends.of(List.of(lend(DEMO, "Demo laptop", 1, "test:camera", "raw"),
                lend(OFFICE, "Office PC", 3, "test:camera", "raw"))).get(0);
        assertEquals("Test camera: in use by Demo laptop and Office PC", two.text());
    }
}
