package org.hopwire;

import org.hopwire.app.HopwireApp;

/**
 * The window, launched under the application id's name: JavaFX names a window's class ({@code WM_CLASS}) after the
 * {@code Application} subclass launched, so launching this one makes the class {@code org.hopwire.Hopwire}, the same
 * id as the desktop entry, the icon and the AppStream metadata, and the dock files the window under its entry.
 */
public class Hopwire extends HopwireApp {
    /** For {@code Application.launch}. */
    public Hopwire() {
        super();
    }
}
