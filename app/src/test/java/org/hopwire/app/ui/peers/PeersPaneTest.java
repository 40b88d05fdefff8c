package org.hopwire.app.ui.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Cards share the pane's width: one full-width column when narrow, columns of equal width when wide. */
class PeersPaneTest {
    @Test
    void shouldFillTheWidthWithOneColumnWhenNarrowAndWrapIntoEqualColumnsWhenWide() {
        assertEquals(500, PeersPane.cardWidth(500, 3), "one column, as wide as the pane");
        assertEquals(394, PeersPane.cardWidth(800, 3), "two columns: (800 - 12) / 2");
        assertEquals(800, PeersPane.cardWidth(800, 1), "a single card takes the whole width");
        assertEquals(300, PeersPane.cardWidth(300, 2), "narrower than a card: still one column, never wider");
    }
}
