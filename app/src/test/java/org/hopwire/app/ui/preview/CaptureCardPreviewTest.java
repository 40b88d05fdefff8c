package org.hopwire.app.ui.preview;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import javafx.scene.Node;
import javafx.scene.control.Label;
import org.hopwire.app.HopwireApp;
import org.hopwire.app.core.Questions;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.engine.DemoFabric;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * The demo laptop's test capture card in the window, headless: one row in the peer's card with the capture card's
 * icon, one click borrows it whole, its preview shows the pictures with its sound's level under them, the link
 * panel says how far apart they are, and Return gives both halves back.
 */
class CaptureCardPreviewTest {
    private static final String CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);
    private static final String TILE = "#preview-tile-test_capture-card";

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private DemoWindow window;
    private HopwireApp app;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.openPaired(dir, "desk", new Questions());
        app = window.app;
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    @Test
    void shouldBorrowTheCardWholeAndPreviewItsPicturesWithItsSoundsLevel() throws Exception {
        waitFor("the card offered", () -> DemoWindow.find(CARD + " #borrow-from-peer-test_capture-card")
                .isPresent());
        assertTrue(fx(() -> robot.lookup(CARD + " #peer-device-test_capture-card").queryAs(Label.class)
                .getGraphic().toString().contains("mdi2v-video-input-hdmi")), "the capture card's own icon");
        DemoWindow.click(robot, CARD + " #borrow-from-peer-test_capture-card");
        waitFor("both halves borrowed", () -> app.model().snapshot().borrows().stream()
                .filter(b -> b.deviceId().equals(TestDevices.CAPTURE_CARD_ID) && !b.waiting()).count() == 2);
        waitFor("the preview tile", () -> DemoWindow.shown(TILE));
        waitFor("pictures and the sound's meter", () -> app.window().previews().view(DemoFabric.DEMO_PEER_UUID,
                TestDevices.CAPTURE_CARD_ID).map(v -> v.framesShown() >= 10 && v.showsSoundMeter() && !v.showsMeter())
                .orElse(false));
        // Read where a person reads it: on the Link tab (the preview's tab is in front).
        DemoWindow.click(robot, DemoWindow.tabHeader("tab-link"));
        waitFor("the A/V offset on the link panel", () -> DemoWindow.find("#link-av-offset")
                .map(n -> n.isVisible() && ((Label) n).getText().startsWith("A/V offset of Test capture card"))
                .orElse(false));
        DemoWindow.click(robot, DemoWindow.tabHeader("tab-preview"));
        DemoWindow.click(robot, TILE + " #preview-return");
        waitFor("both halves returned", () -> app.model().snapshot().borrows().isEmpty());
        assertFalse(DemoWindow.find(TILE).isPresent());
    }
}
