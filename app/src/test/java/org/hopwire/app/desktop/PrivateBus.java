package org.hopwire.app.desktop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;

/**
 * A session bus of the test's own ({@code dbus-daemon --session}, from Debian's dbus package), and on it a
 * notification server the test plays: it records what Hopwire asks to show and sends back the person's clicks.
 */
public final class PrivateBus implements AutoCloseable {
    /** One Notify call as the server received it. */
    public record Shown(long id, String appName, String appIcon, String summary, String body, List<String> actions,
                 Map<String, Variant<?>> hints, int expireTimeout) {
    }

    private final Process daemon;
    private final String address;
    private DBusConnection serverConnection;
    public final List<Shown> shown = new CopyOnWriteArrayList<>();
    public final List<Long> closed = new CopyOnWriteArrayList<>();

    private PrivateBus(Process daemon, String address) {
        this.daemon = daemon;
        this.address = address;
    }

    /** Why the test cannot run here, or empty when dbus-daemon exists. */
    public static Optional<String> missing() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "dbus-daemon"))) {
                return Optional.empty();
            }
        }
        return Optional.of("dbus-daemon is not installed (Debian package dbus; scripts/lib/deps.sh HW_DBUS_TESTS)");
    }

    public static PrivateBus start() throws IOException {
        Process p = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--print-address=1", "--nopidfile")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String address = r.readLine();
        if (address == null || address.isBlank()) {
            p.destroyForcibly();
            throw new IOException("dbus-daemon printed no address");
        }
        return new PrivateBus(p, address.strip());
    }

    public String address() {
        return address;
    }

    /** Takes the name org.freedesktop.Notifications and answers Notify and CloseNotification. */
    public void startServer() throws DBusException {
        serverConnection = DBusConnectionBuilder.forAddress(address).withShared(false).build();
        AtomicLong ids = new AtomicLong();
        serverConnection.exportObject(Notifications.OBJECT_PATH, new Notifications() {
            @Override
            public UInt32 Notify(String appName, UInt32 replacesId, String appIcon, String summary, String body,
                                 List<String> actions, Map<String, Variant<?>> hints, int expireTimeout) {
                long id = ids.incrementAndGet();
                shown.add(new Shown(id, appName, appIcon, summary, body, List.copyOf(actions), Map.copyOf(hints),
                        expireTimeout));
                return new UInt32(id);
            }

            @Override
            public void CloseNotification(UInt32 id) {
                closed.add(id.longValue());
            }

            @Override
            public List<String> GetCapabilities() {
                return List.of("actions", "body");
            }

            @Override
            public String getObjectPath() {
                return Notifications.OBJECT_PATH;
            }
        });
        serverConnection.requestBusName(Notifications.BUS_NAME);
    }

    /** The person presses a button. */
    public void invoke(long id, String key) throws DBusException {
        serverConnection.sendMessage(new Notifications.ActionInvoked(Notifications.OBJECT_PATH, new UInt32(id), key));
    }

    /** The person dismisses it (reason 2). */
    public void dismiss(long id) throws DBusException {
        serverConnection.sendMessage(new Notifications.NotificationClosed(Notifications.OBJECT_PATH, new UInt32(id),
                new UInt32(2)));
    }

    @Override
    public void close() throws Exception {
        if (serverConnection != null) {
            serverConnection.disconnect();
        }
        daemon.destroy();
        if (!daemon.waitFor(5, TimeUnit.SECONDS)) {
            daemon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
