package org.hopwire.app.ui.main;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import javafx.collections.ListChangeListener;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Control;
import javafx.scene.control.Tooltip;

import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.ui.preview.PreviewView;
import org.hopwire.engine.DemoFabric;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * A window whose state does not change does no work for it: the hub's snapshots (two a second) restyle no node and
 * make no tooltip again. A style class taken off and put back, even the same one, restyles the node and everything
 * in it, and in software rendering a restyled card was repainted whole twice a second (14 to 36 ms each time).
 */
class SteadyWindowTest {
    @TempDir
    Path dir;
    private DemoWindow window;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.openPaired(dir, "deskmachine", new Questions());
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    @Test
    void shouldRestyleNothingAndMakeNoTooltipAgainWhileNothingChanges() throws Exception {
        // Something live: a borrow with its preview playing, so the window has rows, a tile and pictures.
        fx(() -> {
            window.app.model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, Outputs.PREVIEW,
                    DemoWindow.SMALL);
            return null;
        });
        waitFor("pictures in the preview", () -> window.app.window().previews()
                .view(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID).map(PreviewView::framesShown).orElse(0L) > 5);
        Thread.sleep(1500); // what the borrow's start changes (rows, tabs, notices) is done

        List<String> restyled = Collections.synchronizedList(new ArrayList<>());
        Map<Control, Tooltip> tooltips = new IdentityHashMap<>();
        Node root = new FxRobot().lookup("#status").query().getScene().getRoot();
        fx(() -> {
            watch(root, restyled, tooltips);
            return null;
        });
        Snapshot first = window.app.model().snapshot();
        Thread.sleep(1600);
        Snapshot last = fx(() -> window.app.model().snapshot());
        assertTrue(first != last, "the window was given new snapshots meanwhile (else this proves nothing)");
        assertEquals(List.of(), restyled, "style classes changed while nothing did");
        List<String> remade = fx(() -> {
            List<String> r = new ArrayList<>();
            tooltips.forEach((c, t) -> {
                if (c.getScene() != null && c.getTooltip() != t) {
                    r.add(describe(c));
                }
            });
            return r;
        });
        assertEquals(List.of(), remade, "tooltips made again while nothing changed");
    }

    private static void watch(Node n, List<String> restyled, Map<Control, Tooltip> tooltips) {
        n.getStyleClass().addListener((ListChangeListener<String>) c -> restyled.add(describe(n) + " "
                + n.getStyleClass()));
        // Tooltips that come and go with a text cut short (Tooltips.whenTruncated) may change with the text: not here.
        if (n instanceof Control c && c.getTooltip() != null
                && !c.getTooltip().getProperties().containsKey(org.hopwire.app.ui.Tooltips.class.getName())) {
            tooltips.put(c, c.getTooltip());
        }
        if (n instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(k -> watch(k, restyled, tooltips));
        }
    }

    private static String describe(Node n) {
        return n.getClass().getSimpleName() + (n.getId() == null ? "" : "#" + n.getId());
    }
}
