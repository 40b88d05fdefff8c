package org.hopwire.app.ui.questions;

import javafx.application.Platform;
import javafx.beans.value.ChangeListener;
import javafx.geometry.Rectangle2D;
import javafx.scene.control.Dialog;
import javafx.stage.Modality;
import javafx.stage.Screen;
import javafx.stage.Window;

/**
 * Every dialog of the window, set up the same way (HIG: dialogs are transient for their window and open centred on
 * it): owned by the main window, in the app's theme (light or dark, as the window), centred on it once its size is known, and not modal.
 *
 * <p>Not modal, because a modal dialog disables its owner, and GTK then pins the owner's size hints to its current
 * size: openbox took a maximized window out of maximized when Settings opened (seen under Xvfb). The dialogs' answers
 * come through callbacks, so nothing waits on them anyway.
 */
public final class OwnedDialog {
    /** How long after showing a dialog is kept centred while it settles its size (the window manager's first move). */
    private static final long SETTLE_NS = 1_000_000_000L;

    private OwnedDialog() {
    }

    /** Owns, styles and centres {@code d} on {@code owner} (none when null); call before {@code show()}. */
    public static void prepare(Dialog<?> d, Window owner) {
        d.initModality(Modality.NONE);
        org.hopwire.app.ui.theme.Theme.apply(d.getDialogPane());
        if (owner == null) {
            return;
        }
        if (d.getOwner() == null) {
            d.initOwner(owner);
        }
        long[] shownAt = {0};
        Runnable centre = () -> centre(d, owner);
        ChangeListener<Number> resized = (o, was, is) -> {
            if (System.nanoTime() - shownAt[0] < SETTLE_NS) {
                centre.run();
            }
        };
        d.showingProperty().addListener((o, was, showing) -> {
            if (showing) {
                shownAt[0] = System.nanoTime();
                centre.run();
                // Once more after the first layout pass, when the dialog has its real size.
                Platform.runLater(centre);
            }
        });
        d.widthProperty().addListener(resized);
        d.heightProperty().addListener(resized);
    }

    /** Puts {@code d} in the middle of {@code owner}, kept on the screen the owner is on. */
    static void centre(Dialog<?> d, Window owner) {
        if (!d.isShowing() || Double.isNaN(d.getWidth()) || d.getWidth() <= 0) {
            return;
        }
        Rectangle2D place = centred(new Rectangle2D(owner.getX(), owner.getY(), owner.getWidth(), owner.getHeight()),
                d.getWidth(), d.getHeight(), screenOf(owner));
        d.setX(place.getMinX());
        d.setY(place.getMinY());
    }

    /** Where a {@code width} x {@code height} box goes centred on {@code owner}, kept inside {@code screen}. */
    public static Rectangle2D centred(Rectangle2D owner, double width, double height, Rectangle2D screen) {
        double x = owner.getMinX() + (owner.getWidth() - width) / 2;
        double y = owner.getMinY() + (owner.getHeight() - height) / 2;
        x = Math.max(screen.getMinX(), Math.min(x, screen.getMaxX() - width));
        y = Math.max(screen.getMinY(), Math.min(y, screen.getMaxY() - height));
        return new Rectangle2D(Math.round(x), Math.round(y), width, height);
    }

    private static Rectangle2D screenOf(Window w) {
        return Screen.getScreensForRectangle(w.getX(), w.getY(), Math.max(1, w.getWidth()), Math.max(1, w.getHeight()))
                .stream().findFirst().orElse(Screen.getPrimary()).getVisualBounds();
    }
}
