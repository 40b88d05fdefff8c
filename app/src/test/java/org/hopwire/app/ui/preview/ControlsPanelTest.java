package org.hopwire.app.ui.preview;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.input.MouseButton;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * The borrowed camera's settings under its preview, headless under Monocle on the emulated demo: a slider's change
 * reaches the Demo laptop's camera (its person is asked first for a borrow allowed once), the Demo laptop's own
 * change moves the slider, and a refusal shows with the controls disabled.
 */
class ControlsPanelTest {
    private static final String CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);
    private static final String TILE = "#preview-tile-test_camera";

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private DemoWindow window;
    private HopwireApp app;
    private DemoPeer demo;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.openPaired(dir, "desk", questions);
        app = window.app;
        demo = window.services.demo().orElseThrow();
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    private Slider brightness() {
        return robot.lookup(TILE + " #control-brightness").queryAs(Slider.class);
    }

    private String status() {
        return robot.lookup(TILE + " #controls-status").queryAs(Label.class).getText();
    }

    private long demoBrightness() {
        return demo.devices().controlValues(TestDevices.CAMERA_ID).getOrDefault("brightness", 0L);
    }

    private void borrowAndOpenControls() throws Exception {
        robot.drag(DemoWindow.at(CARD + " #peer-device-test_camera"), MouseButton.PRIMARY)
                .dropTo(DemoWindow.at("#this-host"));
        waitFor("the preview tile", () -> DemoWindow.shown(TILE));
        waitFor("the borrow running", () -> app.model().snapshot().borrows().stream().anyMatch(b -> !b.waiting()));
        assertFalse(robot.lookup(TILE + " #controls-panel").queryAs(ControlsPanel.class).isVisible(),
                "folded away until asked for");
        DemoWindow.click(robot, TILE + " #controls-toggle");
        waitFor("the sliders", () -> DemoWindow.find(TILE + " #control-brightness").isPresent());
    }

    @Test
    void shouldAdjustTheBorrowedCameraAndFollowItsOwnersChanges() throws Exception {
        borrowAndOpenControls();
        assertEquals(Fabrics.DEMO_PEER_NAME + " is asked at your first change", status(),
                "a borrow allowed once: its owner is asked first");
        assertTrue(DemoWindow.find(TILE + " #control-contrast").isPresent());
        fx(() -> {
            brightness().setValue(40);
            return null;
        });
        waitFor("the Demo laptop's camera at 40", () -> demoBrightness() == 40);
        waitFor("the question answered: nothing more said", () -> status().isEmpty());

        demo.setControl(TestDevices.CAMERA_ID, "brightness", -25);
        waitFor("the slider following the owner", () -> brightness().getValue() == -25);
        assertEquals("-25", robot.lookup(TILE + " #control-value-brightness").queryAs(Label.class).getText());

        // Popped out, the settings go with the picture, and come back with it.
        DemoWindow.click(robot, TILE + " #preview-pop-out");
        waitFor("the preview's own window", () -> DemoWindow.find(TILE).isEmpty()
                && DemoWindow.find("#control-brightness").isPresent());
        Slider inWindow = robot.lookup("#control-brightness").queryAs(Slider.class);
        assertTrue(inWindow.getScene() != app.window().scene() && inWindow.isVisible(), "in the popped-out window");
        DemoWindow.click(robot, "#preview-dock-back");
        waitFor("docked again with its settings", () -> DemoWindow.find(TILE + " #control-brightness")
                .isPresent() && DemoWindow.find(TILE + " #controls-toggle").isPresent());
    }

    @Test
    void shouldShowARefusalWithTheControlsDisabledAndSnapBack() throws Exception {
        demo.allowControls(false);
        borrowAndOpenControls();
        fx(() -> {
            brightness().setValue(60);
            return null;
        });
        waitFor("the refusal said", () -> status().equals(Fabrics.DEMO_PEER_NAME
                + " did not let you adjust Test camera (test pattern)"));
        waitFor("the slider back at the camera's value", () -> brightness().getValue() == 0);
        assertTrue(robot.lookup(TILE + " #control-brightness").queryAs(Slider.class).isDisabled(),
                "disabled once refused");
        assertEquals(0, demoBrightness(), "nothing reached the camera");
    }
}
