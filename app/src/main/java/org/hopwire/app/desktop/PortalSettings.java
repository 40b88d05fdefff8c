package org.hopwire.app.desktop;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.Variant;

/**
 * The part of the XDG desktop portal's Settings interface Hopwire reads ({@code org.freedesktop.portal.Settings} on
 * {@code org.freedesktop.portal.Desktop} at {@code /org/freedesktop/portal/desktop}, session bus): the appearance
 * setting. Method and signal names are the specification's, hence the capitals.
 */
@DBusInterfaceName("org.freedesktop.portal.Settings")
public interface PortalSettings extends DBusInterface {
    String BUS_NAME = "org.freedesktop.portal.Desktop";
    String OBJECT_PATH = "/org/freedesktop/portal/desktop";
    /** The freedesktop appearance namespace and its key: 0 no preference, 1 prefer dark, 2 prefer light. */
    String APPEARANCE = "org.freedesktop.appearance";
    String COLOR_SCHEME = "color-scheme";

    /** One setting's value (version 2 of the interface). */
    Variant<?> ReadOne(String namespace, String key);

    /** One setting's value wrapped in one more variant (the deprecated method older portals have). */
    Variant<?> Read(String namespace, String key);

    /** A setting changed. */
    class SettingChanged extends DBusSignal {
        public final String namespace;
        public final String key;
        public final Variant<?> value;

        public SettingChanged(String path, String namespace, String key, Variant<?> value) throws DBusException {
            super(path, namespace, key, value);
            this.namespace = namespace;
            this.key = key;
            this.value = value;
        }
    }
}
