package org.hopwire.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import javafx.stage.Window;

import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.cli.PrivateRuntimeDir;
import org.hopwire.app.core.SettingsStore;
import org.hopwire.engine.Fabrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * USB4 hardware chosen on a machine without it does not lock the app: the window keeps its menus, says what is
 * missing and how to run without it, and starts the emulated fabric in place on request. Runs where there is no
 * USB4 controller (these machines); elsewhere the kernel fabric would simply start.
 */
@ExtendWith(PrivateRuntimeDir.class)
class KernelFailureTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private HopwireApp app;

    @BeforeEach
    void noUsb4Here() throws Exception {
        assumeTrue(Fabrics.kernelUnavailableReason().isPresent(), "this machine has USB4 hardware");
        FxToolkit.registerPrimaryStage();
        // A fresh stage of its own: the window changes scenes (starting, failure, main), which a primary stage left
        // shown by an earlier test class does not take well.
        FxToolkit.registerStage(Stage::new);
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            FxToolkit.cleanupApplication(app);
        }
        FxToolkit.cleanupStages();
    }

    private static void waitFor(String what, BooleanSupplier condition) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, condition::getAsBoolean);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out waiting for " + what, e);
        }
    }

    private static Stage window() {
        return (Stage) Window.getWindows().stream().filter(w -> w instanceof Stage s && s.getScene() != null
                && s.getScene().lookup("#failure-screen") != null || w.getScene() != null
                && w.getScene().lookup("#main") != null).findFirst().orElse(null);
    }

    private static List<String> menus(Stage stage) {
        BorderPane root = (BorderPane) stage.getScene().getRoot();
        return ((MenuBar) root.getTop()).getMenus().stream().map(Menu::getText).toList();
    }

    private static List<String> items(Stage stage, int menu) {
        BorderPane root = (BorderPane) stage.getScene().getRoot();
        return ((MenuBar) root.getTop()).getMenus().get(menu).getItems().stream().map(MenuItem::getText)
                .filter(t -> t != null).toList();
    }

    @Test
    void shouldSayWhatIsMissingKeepTheMenusAndStartTheEmulatedFabricOnRequest() throws Exception {
        app = (HopwireApp) FxToolkit.setupApplication(HopwireApp.class, "--fabric=kernel", "--config-dir=" + dir);
        waitFor("the failure screen", () -> window() != null && DemoWindow.find("#use-emulated").isPresent());
        Stage stage = window();
        assertEquals(List.of("_Hopwire", "H_elp"), WaitForAsyncUtils.asyncFx(() -> menus(stage)).get());
        assertEquals(List.of("Settings…", "Quit"), WaitForAsyncUtils.asyncFx(() -> items(stage, 0)).get());
        String reason = robot.lookup("#failure").queryAs(Label.class).getText();
        assertEquals(Fabrics.kernelUnavailableReason().orElseThrow().split(":")[0], reason.split(":")[0],
                "the engine's reason: " + reason);
        assertTrue(robot.lookup("#failure-how").queryAs(Label.class).getText().contains("--fabric=emulated"));
        CheckBox remember = robot.lookup("#remember-emulated").queryAs(CheckBox.class);
        assertFalse(remember.isSelected(), "chosen on the command line: not written into Settings unasked");

        // Settings can be opened from here.
        robot.push(javafx.scene.input.KeyCode.CONTROL, javafx.scene.input.KeyCode.COMMA);
        waitFor("the settings", () -> DemoWindow.find("#settings-fabric").isPresent());
        robot.push(javafx.scene.input.KeyCode.ESCAPE);
        waitFor("settings closed", () -> DemoWindow.find("#settings-fabric").isEmpty());

        robot.clickOn("#remember-emulated");
        robot.clickOn("#use-emulated");
        waitFor("the main window on the emulated fabric", () -> app.model() != null
                && DemoWindow.find("#this-host").isPresent());
        assertTrue(app.model().demo().isPresent(), "the demo peer is there");
        waitFor("remembered in Settings, as ticked", () -> org.hopwire.app.core.Settings.load(dir).fabric()
                == Fabrics.Choice.EMULATED);
    }

    @Test
    void shouldOfferToRememberTheEmulatedFabricWhenSettingsChoseTheHardware() throws Exception {
        SettingsStore store = new SettingsStore(dir);
        store.update(s -> s.withFabric(Fabrics.Choice.KERNEL));
        store.close();
        app = (HopwireApp) FxToolkit.setupApplication(HopwireApp.class, "--config-dir=" + dir);
        waitFor("the failure screen", () -> DemoWindow.find("#use-emulated").isPresent());
        assertTrue(robot.lookup("#remember-emulated").queryAs(CheckBox.class).isSelected(),
                "otherwise every launch stops here again");
    }
}
