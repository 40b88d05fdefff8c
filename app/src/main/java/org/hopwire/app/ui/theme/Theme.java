package org.hopwire.app.ui.theme;

import java.util.Objects;

import javafx.beans.InvalidationListener;
import javafx.beans.WeakInvalidationListener;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.DialogPane;

import org.hopwire.app.core.Settings;
import org.hopwire.app.desktop.ColorScheme;

/**
 * The app's look, light or dark: one stylesheet ({@code hopwire.css}) whose named colours change when the class
 * {@value #DARK} is on a scene's root or a dialog's pane. Every window and dialog calls {@link #apply(Scene)} or
 * {@link #apply(DialogPane)}, and follows the theme from then on. UI thread only.
 */
public final class Theme {
    /** The style class that turns the dark palette on. */
    public static final String DARK = "dark";
    static final String STYLESHEET = Objects.requireNonNull(Theme.class.getResource(
            "/org/hopwire/app/ui/hopwire.css"), "hopwire.css").toExternalForm();
    /** Where a node keeps its listener on the theme, so the listener lives exactly as long as the node. */
    private static final String KEEP = Theme.class.getName();

    private static final ReadOnlyBooleanWrapper dark = new ReadOnlyBooleanWrapper(false);

    private Theme() {
    }

    /** Whether the dark theme is on. */
    public static ReadOnlyBooleanProperty darkProperty() {
        return dark.getReadOnlyProperty();
    }

    public static boolean isDark() {
        return dark.get();
    }

    /** Turns the dark theme on or off in every window and dialog that applied the theme. */
    public static void setDark(boolean on) {
        dark.set(on);
    }

    /** Whether a window should be dark, given the person's choice and the desktop's preference. */
    public static boolean dark(Settings.Appearance choice, ColorScheme.Preference desktop) {
        return switch (choice) {
            case DARK -> true;
            case LIGHT -> false;
            case FOLLOW_DESKTOP -> desktop == ColorScheme.Preference.DARK;
        };
    }

    /** The stylesheet, and the dark class on the scene's root (a root put in later gets it too). */
    public static void apply(Scene scene) {
        if (!scene.getStylesheets().contains(STYLESHEET)) {
            scene.getStylesheets().add(STYLESHEET);
        }
        InvalidationListener update = o -> mark(scene.getRoot());
        scene.getProperties().put(KEEP, update);
        scene.rootProperty().addListener((o, was, now) -> {
            if (was != null) {
                was.getStyleClass().remove(DARK);
            }
            mark(now);
        });
        dark.addListener(new WeakInvalidationListener(update));
        mark(scene.getRoot());
    }

    /** The stylesheet and the dark class on a dialog's pane (its window has a scene of its own). */
    public static void apply(DialogPane pane) {
        if (!pane.getStylesheets().contains(STYLESHEET)) {
            pane.getStylesheets().add(STYLESHEET);
        }
        InvalidationListener update = o -> mark(pane);
        pane.getProperties().put(KEEP, update);
        dark.addListener(new WeakInvalidationListener(update));
        mark(pane);
    }

    private static void mark(Parent root) {
        if (root == null) {
            return;
        }
        mark((Node) root);
    }

    private static void mark(Node n) {
        boolean has = n.getStyleClass().contains(DARK);
        if (dark.get() && !has) {
            n.getStyleClass().add(DARK);
        } else if (!dark.get() && has) {
            n.getStyleClass().remove(DARK);
        }
    }
}
