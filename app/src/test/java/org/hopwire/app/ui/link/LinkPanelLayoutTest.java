package org.hopwire.app.ui.link;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.TableView;

import org.hopwire.app.core.Questions;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.engine.DemoFabric;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * The Link tab at the window's first size: the channel table's rows (each borrow's rate, pictures a second and
 * latency) are on the screen under the chart, not cut off below the tab; with a notice showing too.
 */
class LinkPanelLayoutTest {
    private static final String SMALL = "video/x-raw,width=320,height=240,framerate=30/1";

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private DemoWindow window;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.openPaired(dir, "desk", new Questions());
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    @Test
    void shouldShowTheChannelRowsUnderTheChartAtTheWindowsFirstSize() throws Exception {
        window.app.model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL);
        waitFor("the borrow live", () -> window.app.model().snapshot().borrows().stream().anyMatch(b -> !b.waiting()));
        DemoWindow.click(robot, DemoWindow.tabHeader("tab-link"));
        waitFor("the borrow's row in the channel table", () -> DemoWindow.find("#channel-table")
                .map(n -> !((TableView<?>) n).getItems().isEmpty()).orElse(false) && DemoWindow.shown("#channel-table"));
        waitFor("a notice showing", () -> DemoWindow.shown("#toasts"));
        fx(() -> {
            Node table = robot.lookup("#channel-table").query();
            Node row = table.lookup(".table-row-cell");
            Node tab = robot.lookup("#below").query();
            Bounds rowOnScreen = row.localToScene(row.getBoundsInLocal());
            Bounds tabOnScreen = tab.localToScene(tab.getBoundsInLocal());
            // Seen means inside the tab pane, and, where the panel scrolls, inside its viewport as it stands.
            Bounds view = robot.lookup("#link-scroll").tryQuery().map(s -> s.localToScene(s.getLayoutBounds()))
                    .orElse(tabOnScreen);
            assertTrue(rowOnScreen.getMaxY() <= Math.min(tabOnScreen.getMaxY(), view.getMaxY()) + 0.5
                            && rowOnScreen.getHeight() > 10,
                    "the first channel row is on the screen: row " + rowOnScreen + ", tab " + tabOnScreen
                            + ", view " + view);
            return null;
        });
    }
}
