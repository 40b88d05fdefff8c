package org.hopwire.app.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The desktop's light or dark preference, from a Settings portal the test plays on a private session bus. */
class ColorSchemeTest {
    private PrivateBus bus;
    private DBusConnection portal;
    private ColorScheme scheme;

    @AfterEach
    void stop() throws Exception {
        if (scheme != null) {
            scheme.close();
        }
        if (portal != null) {
            portal.disconnect();
        }
        if (bus != null) {
            bus.close();
        }
    }

    /** A portal that answers color-scheme with {@code value}; without ReadOne when {@code oldPortal}. */
    private void startPortal(int value, boolean oldPortal) throws Exception {
        Assumptions.assumeTrue(PrivateBus.missing().isEmpty(), () -> PrivateBus.missing().orElse(""));
        bus = PrivateBus.start();
        portal = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build();
        portal.exportObject(PortalSettings.OBJECT_PATH, new PortalSettings() {
            @Override
            public Variant<?> ReadOne(String namespace, String key) {
                if (oldPortal) {
                    throw new DBusExecutionException("No such method 'ReadOne'");
                }
                return answer(namespace, key);
            }

            @Override
            public Variant<?> Read(String namespace, String key) {
                return new Variant<>(answer(namespace, key)); // Read wraps the value once more
            }

            private Variant<?> answer(String namespace, String key) {
                if (!namespace.equals(PortalSettings.APPEARANCE) || !key.equals(PortalSettings.COLOR_SCHEME)) {
                    throw new DBusExecutionException("Requested setting not found");
                }
                return new Variant<>(new UInt32(value));
            }

            @Override
            public String getObjectPath() {
                return PortalSettings.OBJECT_PATH;
            }
        });
        portal.requestBusName(PortalSettings.BUS_NAME);
        scheme = new ColorScheme(Optional.of(bus.address()), false);
    }

    @Test
    void shouldReadPreferDarkFromThePortalAndFollowItsChanges() throws Exception {
        startPortal(1, false);
        LinkedBlockingQueue<ColorScheme.Preference> heard = new LinkedBlockingQueue<>();
        scheme.start(heard::add);
        assertEquals(ColorScheme.Preference.DARK, heard.poll(10, TimeUnit.SECONDS));
        // The person switches the desktop to light; an unrelated setting changing is not heard.
        portal.sendMessage(new PortalSettings.SettingChanged(PortalSettings.OBJECT_PATH, "org.gnome.desktop.interface",
                "color-scheme", new Variant<>("prefer-dark")));
        portal.sendMessage(new PortalSettings.SettingChanged(PortalSettings.OBJECT_PATH, PortalSettings.APPEARANCE,
                PortalSettings.COLOR_SCHEME, new Variant<>(new UInt32(2))));
        assertEquals(ColorScheme.Preference.LIGHT, heard.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldFallBackOnReadWhenThePortalHasNoReadOne() throws Exception {
        startPortal(1, true);
        assertEquals(ColorScheme.Preference.DARK, scheme.readAndFollow(p -> { }));
    }

    @Test
    void shouldSayNoPreferenceWithoutAPortal() throws Exception {
        Assumptions.assumeTrue(PrivateBus.missing().isEmpty(), () -> PrivateBus.missing().orElse(""));
        bus = PrivateBus.start();
        scheme = new ColorScheme(Optional.of(bus.address()), false);
        long t0 = System.nanoTime();
        assertEquals(ColorScheme.Preference.NONE, scheme.readAndFollow(p -> { }));
        assertEquals(ColorScheme.Preference.NONE, new ColorScheme(Optional.empty(), false).readAndFollow(p -> { }));
        assertEquals(true, Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 30, "the bus answers at once");
    }

    @Test
    void shouldParseThePortalsValueAndGnomesSetting() {
        assertEquals(Optional.of(ColorScheme.Preference.DARK), ColorScheme.parsePortal(new Variant<>(new UInt32(1))));
        assertEquals(Optional.of(ColorScheme.Preference.LIGHT),
                ColorScheme.parsePortal(new Variant<>(new Variant<>(new UInt32(2)))));
        assertEquals(Optional.of(ColorScheme.Preference.NONE), ColorScheme.parsePortal(new UInt32(0)));
        assertEquals(Optional.empty(), ColorScheme.parsePortal(new Variant<>("dark")));
        assertEquals(Optional.empty(), ColorScheme.parsePortal(new Variant<>(new UInt32(7))));
        assertEquals(Optional.of(ColorScheme.Preference.DARK), ColorScheme.parseGsettings("'prefer-dark'\n"));
        assertEquals(Optional.of(ColorScheme.Preference.NONE), ColorScheme.parseGsettings("'default'"));
        assertEquals(Optional.empty(), ColorScheme.parseGsettings("No such key “color-scheme”"));
    }
}
