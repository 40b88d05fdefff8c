package org.hopwire.app.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class SnapshotTest {
    private static final UUID LAPTOP = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID DESKTOP = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    @Test
    void shouldShowACaptureCardsTwoHalvesAsOneBorrow() {
        var pictures = new Snapshot.Borrowed(LAPTOP, "Demo laptop", 3, "test:capture-card", "Test capture card",
                "video/x-raw", "preview");
        var sound = new Snapshot.Borrowed(LAPTOP, "Demo laptop", 4, "test:capture-card", "Test capture card",
                "audio/x-raw", "speakers", true, 3, "Demo laptop says the card stopped");
        var camera = new Snapshot.Borrowed(LAPTOP, "Demo laptop", 5, "test:camera", "Test camera", "video/x-raw",
                "preview");
        var sameCardElsewhere = new Snapshot.Borrowed(DESKTOP, "Demo desktop", 3, "test:capture-card",
                "Test capture card", "video/x-raw", "preview");

        List<Snapshot.Borrowed> whole = Snapshot.wholeBorrows(List.of(pictures, camera, sound, sameCardElsewhere));

        assertEquals(3, whole.size(), whole.toString());
        Snapshot.Borrowed card = whole.get(0);
        assertEquals("preview, speakers", card.outputs());
        assertEquals(3, card.channel(), "the pictures' channel stands for the card");
        assertTrue(card.stalled(), "stalled when either half is");
        assertEquals("Demo laptop says the card stopped", card.stalledReason());
        assertEquals(camera, whole.get(1));
        assertEquals(sameCardElsewhere, whole.get(2), "another peer's card is another borrow");
    }
}
