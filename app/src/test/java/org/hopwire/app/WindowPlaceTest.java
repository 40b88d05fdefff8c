package org.hopwire.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import javafx.geometry.Rectangle2D;

import org.hopwire.app.core.Settings;
import org.junit.jupiter.api.Test;

/** The saved size and place are checked against the screens there are before the window uses them. */
class WindowPlaceTest {
    /** A laptop's screen without its 32-pixel top panel. */
    private static final Rectangle2D LAPTOP = new Rectangle2D(0, 32, 1280, 768);
    /** A second monitor to its right. */
    private static final Rectangle2D RIGHT = new Rectangle2D(1280, 0, 1920, 1080);

    private static WindowPlace place(Settings.Window saved, Rectangle2D... screens) {
        return WindowPlace.of(Optional.of(saved), screens[0], List.of(screens));
    }

    private static void assertInside(WindowPlace p, Rectangle2D screen) {
        assertTrue(p.x() >= screen.getMinX() && p.y() >= screen.getMinY()
                && p.x() + p.width() <= screen.getMaxX() && p.y() + p.height() <= screen.getMaxY(), p + " in " + screen);
    }

    @Test
    void shouldKeepAPlaceThatFitsItsScreen() {
        WindowPlace p = place(new Settings.Window(100, 80, 1000, 600, false), LAPTOP);
        assertEquals(new WindowPlace(100, 80, 1000, 600, false), p);
    }

    @Test
    void shouldOpenAtTheDefaultSizeCentredWhenTheSavedSizeIsTiny() {
        // What a window manager once saved: 198x175, which nobody meant.
        WindowPlace p = place(new Settings.Window(5, 5, 198, 175, false), LAPTOP);
        assertEquals(WindowPlace.DEFAULT_WIDTH, p.width());
        assertEquals(WindowPlace.DEFAULT_HEIGHT, p.height());
        assertEquals(LAPTOP.getMinX() + (LAPTOP.getWidth() - p.width()) / 2, p.x(), 1);
        assertEquals(LAPTOP.getMinY() + (LAPTOP.getHeight() - p.height()) / 2, p.y(), 1);
        assertInside(p, LAPTOP);
    }

    @Test
    void shouldCentreOnThePrimaryScreenWhenTheSavedPlaceIsOnAScreenThatIsGone() {
        // Saved on the right monitor, which is unplugged now.
        WindowPlace p = place(new Settings.Window(1500, 100, 1200, 700, true), LAPTOP);
        assertInside(p, LAPTOP);
        assertEquals(1200, p.width());
        assertEquals(700, p.height());
        assertTrue(p.maximized(), "maximized stays maximized");
    }

    @Test
    void shouldPullAWindowMostlyOnAScreenBackInside() {
        // Hanging off the bottom-right corner, its title bar still visible.
        WindowPlace p = place(new Settings.Window(600, 400, 1000, 600, false), LAPTOP);
        assertInside(p, LAPTOP);
        assertEquals(1000, p.width());
        assertEquals(600, p.height());
        // Above the top panel: moved below it, where its title bar can be grabbed.
        WindowPlace above = place(new Settings.Window(100, 0, 1000, 600, false), LAPTOP);
        assertEquals(32, above.y());
    }

    @Test
    void shouldShrinkAWindowLargerThanItsScreenToFit() {
        WindowPlace p = place(new Settings.Window(0, 0, 2400, 1400, false), LAPTOP);
        assertEquals(LAPTOP.getWidth(), p.width());
        assertEquals(LAPTOP.getHeight(), p.height());
        assertInside(p, LAPTOP);
    }

    @Test
    void shouldKeepTheWindowOnTheMonitorItWasOn() {
        WindowPlace p = place(new Settings.Window(1400, 100, 1200, 800, false), LAPTOP, RIGHT);
        assertEquals(new WindowPlace(1400, 100, 1200, 800, false), p);
    }

    @Test
    void shouldOpenCentredAtTheDefaultSizeWhenNothingWasSavedAndFitASmallScreen() {
        Rectangle2D small = new Rectangle2D(0, 0, 1024, 600);
        WindowPlace p = WindowPlace.of(Optional.empty(), small, List.of(small));
        assertEquals(WindowPlace.DEFAULT_WIDTH > 1024 ? 1024 : WindowPlace.DEFAULT_WIDTH, p.width());
        assertEquals(600, p.height());
        assertInside(p, small);
        assertFalse(p.maximized());
    }
}
