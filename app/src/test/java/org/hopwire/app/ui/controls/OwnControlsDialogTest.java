package org.hopwire.app.ui.controls;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * The owner adjusting its own device from the window, headless under Monocle on the emulated demo: This host lends
 * its test camera to the Demo laptop, its person raises the brightness in "Adjust…", and the value is set on This
 * host's device and reaches the Demo laptop's side; a change made elsewhere shows in the dialog; a device without
 * settings has no "Adjust…".
 */
class OwnControlsDialogTest {
    private static final String CAMERA = TestDevices.CAMERA_ID;

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private DemoWindow window;
    private HopwireApp app;
    private DemoPeer demo;

    @BeforeEach
    void start() throws Exception {
        // The Demo laptop's request for This host's camera is allowed once.
        questions.onQuestion(q -> {
            if (q.kind() == Questions.Kind.CONSENT) {
                q.answer(SessionHandler.Consent.ALLOW_ONCE);
            }
        });
        window = DemoWindow.openPaired(dir, "desk", questions);
        app = window.app;
        demo = window.services.demo().orElseThrow();
        waitFor("This host's camera listed", () -> DemoWindow.find("#device-test_camera").isPresent());
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    private long ownBrightness() {
        return value(app.model().hub().ownControls(CAMERA));
    }

    private static long value(List<ControlMessage.Control> controls) {
        return controls.stream().filter(c -> c.name().equals("brightness")).mapToLong(ControlMessage.Control::value)
                .findFirst().orElseThrow(() -> new AssertionError("no brightness in " + controls));
    }

    private Slider slider() {
        return robot.lookup("#own-controls #control-brightness").queryAs(Slider.class);
    }

    @Test
    void shouldSetTheOwnersChangeOnTheDeviceAndShowItToTheBorrower() throws Exception {
        demo.askFor(CAMERA);
        waitFor("the Demo laptop borrows the camera", () -> demo.borrowing().size() == 1
                && !demo.borrowedControls(CAMERA).isEmpty());
        waitFor("the lend's row", () -> DemoWindow.find("#lend-adjust-test_camera").isPresent());
        long before = ownBrightness();
        assertEquals(before, value(demo.borrowedControls(CAMERA)), "both sides start alike");

        robot.clickOn(DemoWindow.settled("#lend-adjust-test_camera"));
        waitFor("the owner's sliders", () -> DemoWindow.find("#own-controls #control-brightness")
                .isPresent());
        waitFor("who sees the changes", () -> robot.lookup("#own-controls-who").queryAs(Label.class).getText()
                .equals(Fabrics.DEMO_PEER_NAME + " borrows Test camera (test pattern) and sees your changes."));
        long raised = before + 30;
        fx(() -> {
            slider().setValue(raised);
            return null;
        });
        waitFor("This host's camera at the raised brightness", () -> ownBrightness() == raised);
        waitFor("the Demo laptop told", () -> value(demo.borrowedControls(CAMERA)) == raised);
        assertEquals(Long.toString(raised), robot.lookup("#own-controls #control-value-brightness")
                .queryAs(Label.class).getText());

        // A change made elsewhere (the command line, off the JavaFX thread) shows in the open dialog.
        long lowered = before - 20;
        app.model().hub().setOwnControl(CAMERA, "brightness", lowered);
        waitFor("the dialog following the device", () -> slider().getValue() == lowered);
        waitFor("the Demo laptop told again", () -> value(demo.borrowedControls(CAMERA)) == lowered);

        // A second "Adjust…" brings the same dialog forward, not a second one.
        robot.clickOn(DemoWindow.settled("#lend-adjust-test_camera"));
        assertEquals(1, robot.lookup("#own-controls").queryAll().size());
        robot.clickOn(robot.lookup("#own-controls .button").match(
                (Button b) -> b.getText().equals("Close")).queryAs(Button.class));
        waitFor("closed", () -> DemoWindow.find("#own-controls").isEmpty());
    }
}
