package org.hopwire.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import org.hopwire.app.core.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The main window keeps a usable size when a window manager maps it smaller than it asked (openbox mapped it at
 * 200x200, and the app then kept that): a size floor handed to the window manager, and the asked-for size asked again
 * during the first second, never later, when a person may be resizing it.
 */
class WindowSizeTest {
    private Stage stage;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void close() throws Exception {
        if (stage != null) {
            on(() -> {
                stage.close();
                return null;
            });
        }
    }

    private static <T> T on(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldAskAgainForItsSizeWhenShrunkWhileMappingButNotLater() throws Exception {
        stage = on(() -> {
            Stage s = new Stage();
            s.setScene(new Scene(new Label("starting"), 1000, 700));
            HopwireApp.keepUsableSize(s);
            s.show();
            HopwireApp.holdSizeWhileMapping(s);
            return s;
        });
        assertEquals(Settings.Window.MIN_WIDTH, on(stage::getMinWidth), "a floor the window manager is told");
        assertEquals(Settings.Window.MIN_HEIGHT, on(stage::getMinHeight));
        double width = on(stage::getWidth);
        double height = on(stage::getHeight);

        // What openbox did: the window mapped at a fraction of its size, at once.
        on(() -> {
            stage.setWidth(200);
            stage.setHeight(200);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(width, on(stage::getWidth), 1.0, "the asked-for width asked again");
        assertEquals(height, on(stage::getHeight), 1.0, "the asked-for height asked again");

        // After the first second the size is the person's: a smaller one stays.
        WaitForAsyncUtils.sleep(1200, TimeUnit.MILLISECONDS);
        on(() -> {
            stage.setWidth(700);
            stage.setHeight(500);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(700, on(stage::getWidth), 1.0);
        assertEquals(500, on(stage::getHeight), 1.0);
    }

    /** A window with an owner (a popped-out preview) keeps its place too: openbox put it in the screen's corner. */
    @Test
    void shouldAskAgainForItsPlaceWhenMovedWhileMappingButNotLater() throws Exception {
        stage = on(() -> {
            Stage s = new Stage();
            s.setScene(new Scene(new Label("preview"), 640, 420));
            s.setX(300);
            s.setY(200);
            s.show();
            org.hopwire.app.ui.WindowMapping.holdSizeAndPlace(s);
            return s;
        });
        double x = on(stage::getX);
        double y = on(stage::getY);
        on(() -> {
            stage.setX(1);
            stage.setY(20);
            stage.setWidth(200);
            stage.setHeight(200);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(x, on(stage::getX), 1.0, "the asked-for place asked again");
        assertEquals(y, on(stage::getY), 1.0);
        assertEquals(640, on(stage::getWidth), 1.0, "and the size");

        // A frame's few pixels are the window manager's to take.
        on(() -> {
            stage.setX(x + 5);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(x + 5, on(stage::getX), 1.0);

        WaitForAsyncUtils.sleep(1200, TimeUnit.MILLISECONDS);
        on(() -> {
            stage.setX(40);
            stage.setY(60);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(40, on(stage::getX), 1.0, "later, the place is the person's");
        assertEquals(60, on(stage::getY), 1.0);
    }
}
