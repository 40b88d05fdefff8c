package org.hopwire.gst.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameWindowTest {
    @Test
    void shouldNotCountAPictureWhoseFrameArrivedBeforeTheWindowOpened() {
        FrameWindow w = new FrameWindow();
        w.received(1, 1000); // in flight when the window opens
        w.open();
        w.shown(1000);
        w.received(2, 2000);
        w.shown(2000);
        w.close();
        assertEquals(1, w.received());
        assertEquals(1, w.shown());
        assertEquals(0, w.drops(), "the frame from before the window is neither received nor shown in it");
    }

    @Test
    void shouldCountAFrameInFlightAtTheCloseOnceItIsShownAndIgnoreFramesAfterIt() {
        FrameWindow w = new FrameWindow();
        w.open();
        w.received(1, 1000);
        w.close();
        assertFalse(w.drained());
        assertEquals(1, w.drops(), "not shown yet");
        w.received(2, 2000); // after the window
        w.shown(1000);
        w.shown(2000);
        assertTrue(w.drained());
        assertEquals(1, w.received());
        assertEquals(1, w.shown());
        assertEquals(0, w.drops());
    }

    @Test
    void shouldCountSequenceGapsAndFramesNeverShownAsDrops() {
        FrameWindow w = new FrameWindow();
        w.received(9, 900);
        w.open();
        w.received(10, 1000);
        w.received(13, 1300); // 11 and 12 never came
        w.received(14, 1400); // came, never shown
        w.shown(1000);
        w.shown(1300);
        w.shown(1300); // a second picture of the same frame is not a second frame
        w.close();
        assertEquals(2, w.sequenceGaps());
        assertEquals(1, w.notShown());
        assertEquals(3, w.drops());
    }
}
