package org.hopwire.app.ui;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kordamp.ikonli.javafx.FontIcon;
import org.testfx.api.FxToolkit;

/** Every icon the app names exists in the icon font, and each use is a node of its own with the same glyph. */
class IconsTest {
    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @Test
    void everyNamedIconResolvesAndEachUseIsANewNodeOfTheSameGlyph() throws Exception {
        Icons.resolveAll(); // off the UI thread, as the app does at start
        List<String> names = Icons.names();
        assertTrue(names.size() >= 20, "the icons: " + names);
        fx(() -> {
            for (String name : names) {
                FontIcon a = Icons.icon(name);
                FontIcon b = Icons.icon(name);
                assertNotSame(a, b, "a node can be in one place only");
                assertSame(a.getIconCode(), b.getIconCode(), name);
                assertEquals(name, a.getIconCode().getDescription());
                assertTrue(a.getStyleClass().contains("hw-icon"));
            }
            return null;
        });
    }
}
