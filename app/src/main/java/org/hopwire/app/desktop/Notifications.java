package org.hopwire.app.desktop;

import java.util.List;
import java.util.Map;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;

/**
 * The part of the freedesktop notification server's D-Bus interface Hopwire uses (Desktop Notifications
 * Specification 1.2: {@code org.freedesktop.Notifications} at {@code /org/freedesktop/Notifications} on the session
 * bus). Method and signal names are the specification's, hence the capitals.
 */
@DBusInterfaceName("org.freedesktop.Notifications")
public interface Notifications extends DBusInterface {
    /** The bus name and object path of the server. */
    String BUS_NAME = "org.freedesktop.Notifications";
    String OBJECT_PATH = "/org/freedesktop/Notifications";

    /**
     * Shows a notification; {@code actions} alternates keys and labels. Returns its id (never 0).
     *
     * @param expireTimeout milliseconds, -1 for the server's default, 0 never
     */
    UInt32 Notify(String appName, UInt32 replacesId, String appIcon, String summary, String body,
                  List<String> actions, Map<String, Variant<?>> hints, int expireTimeout);

    /** Withdraws a notification; the server then sends NotificationClosed with reason 3. */
    void CloseNotification(UInt32 id);

    /** What the server can do ("actions", "body", "persistence"...). */
    List<String> GetCapabilities();

    /** The person chose an action (its key) on notification {@code id}. */
    class ActionInvoked extends DBusSignal {
        public final UInt32 id;
        public final String actionKey;

        public ActionInvoked(String path, UInt32 id, String actionKey) throws DBusException {
            super(path, id, actionKey);
            this.id = id;
            this.actionKey = actionKey;
        }
    }

    /** Notification {@code id} is gone: 1 expired, 2 dismissed by the person, 3 closed by CloseNotification, 4 other. */
    class NotificationClosed extends DBusSignal {
        public final UInt32 id;
        public final UInt32 reason;

        public NotificationClosed(String path, UInt32 id, UInt32 reason) throws DBusException {
            super(path, id, reason);
            this.id = id;
            this.reason = reason;
        }
    }
}
