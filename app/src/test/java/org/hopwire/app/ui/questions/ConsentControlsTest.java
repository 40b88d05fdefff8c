package org.hopwire.app.ui.questions;

import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;

import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.ControlMessage.ControlAccess;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * The consent dialog's "Let the peer adjust the device": ticked by default, and unticked it lends the picture only,
 * remembered with "Always".
 */
class ConsentControlsTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private DemoWindow window;
    private DemoPeer demo;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.openPaired(dir, "desk", questions);
        demo = window.services.demo().orElseThrow();
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    private CheckBox box() throws Exception {
        waitFor("the consent dialog", () -> DemoWindow.find("#question-controls").isPresent());
        return robot.lookup("#question-controls").queryAs(CheckBox.class);
    }

    private void answer(String button) {
        robot.clickOn(robot.lookup(button).queryAs(Button.class));
    }

    @Test
    void shouldLendWithControlsWhenTheBoxStaysTicked() throws Exception {
        var borrow = demo.askFor(TestDevices.CAMERA_ID);
        CheckBox box = box();
        assertTrue(box.isSelected(), "ticked by default");
        assertEquals("Let " + Fabrics.DEMO_PEER_NAME + " adjust Test camera (test pattern)",
                box.getText());
        answer("Allow once");
        borrow.get(15, TimeUnit.SECONDS);
        waitFor("the demo told it will be asked", () -> demo.controlAccess(TestDevices.CAMERA_ID)
                .map(a -> a.access() == ControlAccess.ASK).orElse(false));
    }

    @Test
    void shouldLendThePictureOnlyWhenUntickedAndRememberItWithAlways() throws Exception {
        var borrow = demo.askFor(TestDevices.CAMERA_ID);
        robot.clickOn(box());
        assertFalse(box().isSelected());
        answer("Always");
        borrow.get(15, TimeUnit.SECONDS);
        waitFor("the demo refused controls", () -> demo.controlAccess(TestDevices.CAMERA_ID)
                .map(a -> a.access() == ControlAccess.REFUSED).orElse(false));
        assertTrue(demo.controlAccess(TestDevices.CAMERA_ID).orElseThrow().reason().contains("did not let"));
        assertFalse(new org.hopwire.engine.trust.PeerStore(dir.resolve("peers")).find(DemoFabric.DEMO_PEER_UUID)
                .orElseThrow().controlsAllowed(TestDevices.CAMERA_ID), "remembered with the always");
        demo.giveBackAll();
        waitFor("given back", () -> demo.borrowing().isEmpty());
        demo.askFor(TestDevices.CAMERA_ID).get(15, TimeUnit.SECONDS);
        assertFalse(DemoWindow.find("#question-controls").isPresent(), "always: not asked again");
        waitFor("still refused", () -> demo.controlAccess(TestDevices.CAMERA_ID)
                .map(a -> a.access() == ControlAccess.REFUSED).orElse(false));
    }
}
