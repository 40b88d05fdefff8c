package org.hopwire.app;

import java.util.List;
import java.util.Optional;

import javafx.geometry.Rectangle2D;

import org.hopwire.app.core.Settings;

/**
 * Where the window opens: the saved size and place checked against the screens there are now. A saved size smaller
 * than a usable window (a window manager once saved 198x175) gives the default size; a window larger than its screen
 * is made to fit it; a place on no screen (a monitor unplugged since) or mostly off one is moved onto the screen it
 * overlaps most, or centred on the primary screen. Pure geometry, so it can be tested without a display.
 */
record WindowPlace(double x, double y, double width, double height, boolean maximized) {
    static final double DEFAULT_WIDTH = 1100;
    static final double DEFAULT_HEIGHT = 760;
    /** A saved place showing less than this share of the window on any screen is taken as off-screen. */
    static final double VISIBLE_AT_LEAST = 0.5;

    /**
     * @param saved   what was saved when the window last closed, if anything
     * @param primary the primary screen's visual bounds (without panels and docks)
     * @param screens every screen's visual bounds, the primary among them
     */
    static WindowPlace of(Optional<Settings.Window> saved, Rectangle2D primary, List<Rectangle2D> screens) {
        if (saved.isEmpty() || !saved.get().usable()) {
            return centred(DEFAULT_WIDTH, DEFAULT_HEIGHT, primary, saved.map(Settings.Window::maximized)
                    .orElse(false));
        }
        Settings.Window w = saved.get();
        Rectangle2D wanted = new Rectangle2D(w.x(), w.y(), w.width(), w.height());
        Rectangle2D best = null;
        double bestArea = 0;
        for (Rectangle2D s : screens) {
            double area = overlap(wanted, s);
            if (area > bestArea) {
                best = s;
                bestArea = area;
            }
        }
        if (best == null || bestArea < VISIBLE_AT_LEAST * Math.min(w.width() * w.height(),
                best.getWidth() * best.getHeight())) {
            return centred(w.width(), w.height(), primary, w.maximized());
        }
        double width = fit(w.width(), Settings.Window.MIN_WIDTH, best.getWidth());
        double height = fit(w.height(), Settings.Window.MIN_HEIGHT, best.getHeight());
        double x = clamp(w.x(), best.getMinX(), best.getMaxX() - width);
        double y = clamp(w.y(), best.getMinY(), best.getMaxY() - height);
        return new WindowPlace(x, y, width, height, w.maximized());
    }

    private static WindowPlace centred(double wantedWidth, double wantedHeight, Rectangle2D screen,
                                       boolean maximized) {
        double width = fit(wantedWidth, Settings.Window.MIN_WIDTH, screen.getWidth());
        double height = fit(wantedHeight, Settings.Window.MIN_HEIGHT, screen.getHeight());
        return new WindowPlace(Math.round(screen.getMinX() + (screen.getWidth() - width) / 2),
                Math.round(screen.getMinY() + (screen.getHeight() - height) / 2), width, height, maximized);
    }

    /** {@code wanted}, at least {@code floor} and at most {@code room} (a screen smaller than the floor wins). */
    private static double fit(double wanted, double floor, double room) {
        return Math.min(Math.max(wanted, floor), room);
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(v, max));
    }

    private static double overlap(Rectangle2D a, Rectangle2D b) {
        double w = Math.min(a.getMaxX(), b.getMaxX()) - Math.max(a.getMinX(), b.getMinX());
        double h = Math.min(a.getMaxY(), b.getMaxY()) - Math.max(a.getMinY(), b.getMinY());
        return w > 0 && h > 0 ? w * h : 0;
    }
}
