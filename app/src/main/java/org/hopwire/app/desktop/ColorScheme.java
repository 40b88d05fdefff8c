package org.hopwire.app.desktop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.types.Variant;

/**
 * Whether the desktop prefers dark windows: the freedesktop appearance setting through the Settings portal
 * ({@code org.freedesktop.appearance color-scheme}, followed as it changes), else GNOME's
 * {@code org.gnome.desktop.interface color-scheme} through {@code gsettings} (read once), else no preference.
 *
 * <p>Threads: {@link #start} reads on a thread of its own and returns at once; the listener hears the first value
 * there and each change on dbus-java's signal thread. It must hand the value on quickly (to the UI thread).
 */
public final class ColorScheme implements AutoCloseable {
    /** What the desktop says. */
    public enum Preference {
        NONE, DARK, LIGHT
    }

    /** A portal answers at once; one that does not is as good as none. */
    static final int CONNECT_TIMEOUT_MS = 2000;
    private static final long GSETTINGS_TIMEOUT_MS = 2000;

    private final Optional<String> address;
    private final boolean askGsettings;
    private volatile DBusConnection connection;
    private volatile AutoCloseable signal;
    private volatile boolean closed;

    /**
     * @param address      the session bus; empty for none
     * @param askGsettings whether to fall back on {@code gsettings} when there is no portal
     */
    public ColorScheme(Optional<String> address, boolean askGsettings) {
        this.address = address;
        this.askGsettings = askGsettings;
    }

    /** For this process's own session. */
    public static ColorScheme forSession() {
        return new ColorScheme(DesktopNotifications.sessionBusAddress(System.getenv()), true);
    }

    /** Reads the preference on a thread of its own and tells {@code listener}, then each change. */
    public void start(Consumer<Preference> listener) {
        Thread t = new Thread(() -> listener.accept(readAndFollow(listener)), "hopwire-color-scheme");
        t.setDaemon(true);
        t.start();
    }

    /** The preference now; changes from the portal go to {@code listener} from then on. Blocks (D-Bus, a process). */
    Preference readAndFollow(Consumer<Preference> listener) {
        Optional<Preference> portal = readPortal(listener);
        if (portal.isPresent()) {
            return portal.get();
        }
        return askGsettings ? readGsettings().orElse(Preference.NONE) : Preference.NONE;
    }

    private Optional<Preference> readPortal(Consumer<Preference> listener) {
        if (address.isEmpty() || closed) {
            return Optional.empty();
        }
        Optional<Path> socket = DesktopNotifications.socketPath(address.get());
        if (socket.isPresent() && !Files.exists(socket.get())) {
            return Optional.empty();
        }
        DBusConnection c = null;
        try {
            c = DBusConnectionBuilder.forAddress(address.get()).withShared(false).transportConfig()
                    .withTimeout(CONNECT_TIMEOUT_MS).back().build();
            PortalSettings settings = c.getRemoteObject(PortalSettings.BUS_NAME, PortalSettings.OBJECT_PATH,
                    PortalSettings.class);
            Object value;
            try {
                value = settings.ReadOne(PortalSettings.APPEARANCE, PortalSettings.COLOR_SCHEME);
            } catch (RuntimeException noReadOne) {
                value = settings.Read(PortalSettings.APPEARANCE, PortalSettings.COLOR_SCHEME);
            }
            Optional<Preference> now = parsePortal(value);
            if (now.isEmpty()) {
                c.disconnect();
                return Optional.empty();
            }
            signal = c.addSigHandler(PortalSettings.SettingChanged.class, sig -> {
                if (PortalSettings.APPEARANCE.equals(sig.namespace) && PortalSettings.COLOR_SCHEME.equals(sig.key)) {
                    parsePortal(sig.value).ifPresent(listener);
                }
            });
            connection = c;
            if (closed) {
                close();
            }
            return now;
        } catch (org.freedesktop.dbus.exceptions.DBusException | RuntimeException e) {
            // no portal on this bus, or it does not know the setting: try the next source
            if (c != null) {
                c.disconnect();
            }
            return Optional.empty();
        }
    }

    /**
     * The portal's value: a number (0, 1, 2), possibly wrapped in variants ({@code Read} wraps it once more than
     * {@code ReadOne}). Empty for anything else.
     */
    static Optional<Preference> parsePortal(Object value) {
        Object v = value;
        while (v instanceof Variant<?> variant) {
            v = variant.getValue();
        }
        if (!(v instanceof Number n)) {
            return Optional.empty();
        }
        return switch (n.intValue()) {
            case 0 -> Optional.of(Preference.NONE);
            case 1 -> Optional.of(Preference.DARK);
            case 2 -> Optional.of(Preference.LIGHT);
            default -> Optional.empty();
        };
    }

    /** What {@code gsettings get org.gnome.desktop.interface color-scheme} printed, e.g. {@code 'prefer-dark'}. */
    static Optional<Preference> parseGsettings(String output) {
        String s = output.strip().replace("'", "");
        return switch (s) {
            case "prefer-dark" -> Optional.of(Preference.DARK);
            case "prefer-light" -> Optional.of(Preference.LIGHT);
            case "default" -> Optional.of(Preference.NONE);
            default -> Optional.empty();
        };
    }

    private static Optional<Preference> readGsettings() {
        try {
            Process p = new ProcessBuilder("gsettings", "get", "org.gnome.desktop.interface", "color-scheme")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(GSETTINGS_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? parseGsettings(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // no gsettings (not GNOME)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Stops following the portal. */
    @Override
    public void close() {
        closed = true;
        AutoCloseable s = signal;
        signal = null;
        if (s != null) {
            try {
                s.close();
            } catch (Exception ignored) {
                // the connection goes anyway
            }
        }
        DBusConnection c = connection;
        connection = null;
        if (c != null) {
            c.disconnect();
        }
    }
}
