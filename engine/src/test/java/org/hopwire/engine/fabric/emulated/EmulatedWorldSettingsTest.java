package org.hopwire.engine.fabric.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class EmulatedWorldSettingsTest {
    @Test
    void shouldPickTheDriversAnnouncementTimingFromTheSystemProperty() {
        String before = System.getProperty(EmulatedWorld.TIMING_PROPERTY);
        try {
            System.setProperty(EmulatedWorld.TIMING_PROPERTY, "driver");
            assertEquals(EmulatedWorld.AnnounceTiming.DRIVER, new EmulatedWorld().settings().timing());
            assertEquals(Duration.ofMillis(1150), EmulatedWorld.AnnounceTiming.DRIVER.lastArrival(),
                    "50 ms to send, 100 ms to the peer's read, a second read a second later");
            System.setProperty(EmulatedWorld.TIMING_PROPERTY, "fast");
            assertEquals(EmulatedWorld.AnnounceTiming.FAST, new EmulatedWorld().settings().timing());
            System.setProperty(EmulatedWorld.TIMING_PROPERTY, "slow");
            assertThrows(IllegalArgumentException.class, EmulatedWorld.Settings::fromSystemProperties);
        } finally {
            if (before == null) {
                System.clearProperty(EmulatedWorld.TIMING_PROPERTY);
            } else {
                System.setProperty(EmulatedWorld.TIMING_PROPERTY, before);
            }
        }
    }

    @Test
    void shouldDefaultToTheDriversBehaviour() {
        EmulatedWorld.Settings s = EmulatedWorld.Settings.DEFAULT;
        assertEquals(Duration.ofMillis(500), s.closeDrain(), "the last close waits 500 ms, as the driver's");
        assertEquals(EmulatedWorld.EarlyData.HELD, s.earlyData());
        assertEquals(11, s.dmaRings(), "12 DMA rings on an Intel host router, one for control");
    }
}
