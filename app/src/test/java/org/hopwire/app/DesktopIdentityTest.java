package org.hopwire.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * The window, the desktop entry and the AppStream metadata name the same application, so the dock files the window
 * under the entry and shows its icon (packaging/ci-check-package checks the same on the installed package's window).
 */
class DesktopIdentityTest {
    private static final Path DESKTOP = Path.of("..", "packaging", "desktop");

    @Test
    void shouldNameTheWindowsClassInTheDesktopEntry() throws IOException {
        List<String> entry = Files.readAllLines(DESKTOP.resolve(HopwireApp.APP_ID + ".desktop"));
        // JavaFX names the window's class (WM_CLASS) after the Application subclass that Main launches: one named
        // after the application id.
        assertEquals(HopwireApp.APP_ID, org.hopwire.Hopwire.class.getName());
        assertTrue(HopwireApp.class.isAssignableFrom(org.hopwire.Hopwire.class));
        assertEquals(Optional.of(HopwireApp.APP_ID), value(entry, "StartupWMClass"));
        assertEquals(Optional.of(HopwireApp.APP_ID), value(entry, "Icon"));
        assertEquals(Optional.of("hopwire"), value(entry, "Exec"));
    }

    @Test
    void shouldNameTheDesktopEntryInTheMetainfo() throws IOException {
        String metainfo = Files.readString(DESKTOP.resolve(HopwireApp.APP_ID + ".metainfo.xml"));
        assertEquals(HopwireApp.APP_ID, element(metainfo, "id"));
        assertEquals(HopwireApp.APP_ID + ".desktop", element(metainfo, "launchable"));
    }

    @Test
    void shouldShipTheWindowsIconAtEverySizeItAsksFor() throws IOException {
        for (int size : new int[] {16, 32, 48, 64, 128, 256}) {
            String name = "icons/" + HopwireApp.APP_ID + "-" + size + ".png";
            try (InputStream in = HopwireApp.class.getResourceAsStream(name)) {
                assertNotNull(in, name + " is missing: run packaging/render-icons");
                BufferedImage image = ImageIO.read(in);
                assertNotNull(image, name + " is not a PNG");
                assertEquals(size, image.getWidth(), name);
                assertEquals(size, image.getHeight(), name);
                assertTrue(image.getColorModel().hasAlpha(), name + " has no transparency");
            }
        }
    }

    private static Optional<String> value(List<String> entry, String key) {
        return entry.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .findFirst();
    }

    private static String element(String xml, String tag) {
        Matcher m = Pattern.compile("<" + tag + "(?:\\s[^>]*)?>([^<]*)</" + tag + ">").matcher(xml);
        assertTrue(m.find(), "no <" + tag + "> in the metainfo");
        return m.group(1).trim();
    }
}
