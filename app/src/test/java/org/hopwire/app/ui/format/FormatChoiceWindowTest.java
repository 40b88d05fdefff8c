package org.hopwire.app.ui.format;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;

import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitMenuButton;

import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.DemoFabric;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * The window on the emulated demo: "Choose format…" in the borrow menu shows the camera's options with their reasons,
 * the choice is remembered and asked for by the next borrow, and the preview's Format button changes it live.
 */
class FormatChoiceWindowTest {
    private static final String CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);
    private static final String SMALL_MJPEG = "image/jpeg,width=320,height=240,framerate=30/1";

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private DemoWindow window;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.open(dir, "desk", questions);
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    private MainViewModel model() {
        return window.app.model();
    }

    private void pair() throws Exception {
        waitFor("the pairing dialog", () -> DemoWindow.find("#question-code").isPresent());
        robot.clickOn(robot.lookup("Confirm").queryAs(Button.class));
        waitFor("paired", () -> model().snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(Snapshot.Peer::state)
                .orElse(null) == PeerState.PAIRED);
        waitFor("the demo's camera on its card", () -> robot.lookup(CARD + " #borrow-from-peer-test_camera")
                .tryQuery().isPresent());
    }

    @SuppressWarnings("unchecked")
    private ListView<FormatDialog.Row> list() {
        return (ListView<FormatDialog.Row>) robot.lookup("#format-list").query();
    }

    @Test
    void shouldOfferTheCamerasFormatsWithReasonsRememberTheChoiceAndChangeItLiveFromThePreview() throws Exception {
        pair();
        SplitMenuButton borrow = robot.lookup(CARD + " #borrow-from-peer-test_camera").queryAs(SplitMenuButton.class);
        MenuItem choose = borrow.getItems().stream().filter(i -> "borrow-choose-format".equals(i.getId()))
                .findFirst().orElseThrow();
        assertEquals("Choose format…", choose.getText());
        fx(() -> {
            choose.fire();
            return null;
        });
        waitFor("the format dialog", () -> DemoWindow.find("#format-list").isPresent());
        var rows = list().getItems();
        assertTrue(rows.get(0).text().startsWith("Automatic"), rows.get(0).text());
        assertEquals(0, list().getSelectionModel().getSelectedIndex(), "Automatic until something is chosen");
        assertTrue(rows.stream().anyMatch(r -> r.text().equals("1920×1080 at 60 fps — raw: fits, 187 MB/s of "
                + "1.1 GB/s")), "the chooser's reason next to each: " + rows.get(1).text());
        int mjpeg = rows.indexOf(rows.stream().filter(r -> r.caps().equals(SMALL_MJPEG)).findFirst().orElseThrow());
        fx(() -> {
            list().getSelectionModel().select(mjpeg);
            list().scrollTo(mjpeg);
            return null;
        });
        robot.clickOn("#format-use");
        waitFor("remembered", () -> model().rememberedFormat(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID)
                .equals(Optional.of(SMALL_MJPEG)));

        // The Borrow button asks for the remembered format.
        DemoWindow.click(robot, CARD + " #borrow-from-peer-test_camera");
        waitFor("borrowed as MJPEG", () -> model().snapshot().borrows().stream().anyMatch(b -> !b.waiting()
                && b.caps().startsWith("image/jpeg")));

        // The preview changes it live: the same borrow, now raw.
        waitFor("the preview's Format button", () -> DemoWindow.find("#preview-format").isPresent());
        MenuButton format = robot.lookup("#preview-format").queryAs(MenuButton.class);
        fx(() -> {
            format.show();
            return null;
        });
        waitFor("the format menu filled", () -> format.getItems().size() > 3);
        assertTrue(format.getItems().get(0).getText().startsWith("Now: MJPEG 320×240 at 30 fps"),
                format.getItems().get(0).getText());
        MenuItem raw = format.getItems().stream().filter(i -> i.getText() != null && i.getText().startsWith("320×240 at 30 fps — raw"))
                .findFirst().orElseThrow();
        int channel = model().snapshot().borrows().get(0).channel();
        fx(() -> {
            format.hide();
            raw.fire();
            return null;
        });
        waitFor("the borrow comes raw", () -> model().snapshot().borrows().stream().anyMatch(b -> b.caps()
                .startsWith("video/x-raw")));
        assertEquals(channel, model().snapshot().borrows().get(0).channel(), "not returned and borrowed again");
        waitFor("the notice", () -> model().notices().stream().anyMatch(n -> n.text().equals(
                "Test camera (test pattern) from Demo laptop now comes as raw 320×240 at 30 fps")));
        Node tile = robot.lookup("#preview-tile-test_camera").query();
        assertTrue(tile.isVisible(), "the same preview goes on");
        assertTrue(robot.lookup("#preview-title").queryAs(Label.class).getText().contains("Test camera"));
    }
}
