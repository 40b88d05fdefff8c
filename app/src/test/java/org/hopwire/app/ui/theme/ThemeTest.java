package org.hopwire.app.ui.theme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.layout.Background;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.stage.Stage;

import org.hopwire.app.core.Settings;
import org.hopwire.app.desktop.ColorScheme;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The dark theme as it is drawn: the class on the root, light text on a dark background, dialogs alike. */
class ThemeTest {
    private Stage stage;
    private Label label;
    private StackPane root;

    @BeforeEach
    void show() throws Exception {
        FxToolkit.registerPrimaryStage(); // starts the toolkit; the window tests before this one used the primary stage
        fx(() -> {
            stage = new Stage(); // its own: a primary stage an application was shown in may not be shown again
            label = new Label("Test camera");
            root = new StackPane(label);
            Scene scene = new Scene(root, 300, 200);
            Theme.apply(scene);
            stage.setScene(scene);
            stage.show();
            return null;
        });
    }

    @AfterEach
    void reset() throws Exception {
        fx(() -> {
            Theme.setDark(false);
            stage.close();
            return null;
        });
        FxToolkit.cleanupStages();
    }

    private static <T> T fx(java.util.concurrent.Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    private static double luminance(Color c) {
        return 0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue();
    }

    private double textLuminance() throws Exception {
        return fx(() -> {
            root.applyCss();
            return luminance((Color) label.getTextFill());
        });
    }

    private double backgroundLuminance() throws Exception {
        return fx(() -> {
            root.applyCss();
            Background b = root.getBackground();
            return luminance((Color) b.getFills().get(0).getFill());
        });
    }

    @Test
    void shouldDrawLightTextOnADarkBackgroundWhenDarkAndBackAgain() throws Exception {
        assertTrue(textLuminance() < 0.3, "dark text in the light theme");
        fx(() -> {
            Theme.setDark(true);
            return null;
        });
        assertTrue(fx(() -> root.getStyleClass().contains(Theme.DARK)));
        assertTrue(textLuminance() > 0.7, "light text in the dark theme: " + textLuminance());
        assertTrue(backgroundLuminance() < 0.2, "a dark background: " + backgroundLuminance());
        fx(() -> {
            Theme.setDark(false);
            return null;
        });
        assertFalse(fx(() -> root.getStyleClass().contains(Theme.DARK)));
        assertTrue(backgroundLuminance() > 0.8, "a light background again");
    }

    @Test
    void shouldGiveADialogTheSameTheme() throws Exception {
        fx(() -> {
            Theme.setDark(true);
            return null;
        });
        double[] text = fx(() -> {
            Alert a = new Alert(Alert.AlertType.INFORMATION, "Hopwire");
            Theme.apply(a.getDialogPane());
            a.getDialogPane().applyCss();
            Label content = (Label) a.getDialogPane().lookup(".content");
            return new double[] {luminance((Color) content.getTextFill()),
                    a.getDialogPane().getStyleClass().contains(Theme.DARK) ? 1 : 0};
        });
        assertEquals(1, text[1]);
        assertTrue(text[0] > 0.7, "light text in a dark dialog: " + text[0]);
    }

    @Test
    void shouldFollowTheDesktopOnlyWhenThePersonLeftItToTheDesktop() {
        assertTrue(Theme.dark(Settings.Appearance.FOLLOW_DESKTOP, ColorScheme.Preference.DARK));
        assertFalse(Theme.dark(Settings.Appearance.FOLLOW_DESKTOP, ColorScheme.Preference.NONE));
        assertFalse(Theme.dark(Settings.Appearance.LIGHT, ColorScheme.Preference.DARK));
        assertTrue(Theme.dark(Settings.Appearance.DARK, ColorScheme.Preference.LIGHT));
    }

    /** Colours are written in the palette (.root and its dark twin) only; rules name them. */
    @Test
    void shouldWriteColoursOnlyInThePalette() throws IOException {
        String css;
        try (InputStream in = Theme.class.getResourceAsStream("/org/hopwire/app/ui/hopwire.css")) {
            css = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?s)/\\*.*?\\*/", "");
        }
        Matcher block = Pattern.compile("([^{}]+)\\{([^}]*)}").matcher(css);
        Pattern colour = Pattern.compile("#[0-9a-fA-F]{3,8}\\b|rgba?\\(|\\bwhite\\b|\\bblack\\b");
        List<String> found = new ArrayList<>();
        int palettes = 0;
        while (block.find()) {
            String selector = block.group(1).strip();
            if (selector.equals(".root") || selector.startsWith(".root.dark")) {
                palettes++;
                continue;
            }
            Matcher m = colour.matcher(block.group(2));
            while (m.find()) {
                found.add(selector + ": " + m.group());
            }
        }
        assertEquals(2, palettes);
        assertTrue(found.isEmpty(), "colours written in rules, not named in the palette: " + found);
    }
}
