package org.hopwire.app.ui.theme;

import java.util.concurrent.Executor;

import org.hopwire.app.core.Settings;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.app.desktop.ColorScheme;

/**
 * Keeps {@link Theme} light or dark as the person chose in Settings ("Follow the desktop", "Light", "Dark"), and,
 * when following, as the desktop's preference says now and later. The desktop is read off the UI thread; the theme
 * changes on it.
 */
public final class ThemeFollower implements AutoCloseable {
    private final SettingsStore settings;
    private final Executor uiThread;
    private final ColorScheme desktop;
    private final Runnable unsubscribe;
    // UI thread only.
    private ColorScheme.Preference desktopSays = ColorScheme.Preference.NONE;

    private ThemeFollower(SettingsStore settings, ColorScheme desktop, Executor uiThread) {
        this.settings = settings;
        this.desktop = desktop;
        this.uiThread = uiThread;
        this.unsubscribe = settings.onChange(s -> uiThread.execute(this::apply));
    }

    /**
     * Starts following: the person's choice applies at once, the desktop's preference when it has been read.
     * Call on the UI thread.
     */
    public static ThemeFollower start(SettingsStore settings, ColorScheme desktop, Executor uiThread) {
        ThemeFollower f = new ThemeFollower(settings, desktop, uiThread);
        f.apply();
        desktop.start(p -> uiThread.execute(() -> {
            f.desktopSays = p;
            f.apply();
        }));
        return f;
    }

    private void apply() {
        Settings.Appearance choice = settings.get().appearance();
        Theme.setDark(Theme.dark(choice, desktopSays));
    }

    @Override
    public void close() {
        unsubscribe.run();
        desktop.close();
    }
}
