package org.hopwire.app.ui.main;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitMenuButton;
import javafx.scene.control.Tooltip;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.ConsentDeniedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

/**
 * The window shows what is true: a borrow with no pictures says it is stalled and recovers, Borrow is disabled with
 * the reason for what is borrowed already, the Demo menu disables what cannot act and says why, and notices call
 * this host "This host", never its machine name.
 */
class TrueStateTest {
    private static final String CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);
    /** This host's machine name in these tests: no notice may show it. */
    private static final String MACHINE = "deskmachine";

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private DemoWindow window;
    private Services services;
    private HopwireApp app;
    private DemoPeer demo;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.open(dir, MACHINE, questions);
        services = window.services;
        app = window.app;
        demo = services.demo().orElseThrow();
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    private MainViewModel model() {
        return app.model();
    }

    private String text(String query) {
        return DemoWindow.find(query).map(n -> ((Label) n).getText()).orElse("");
    }

    private PeerState cardState() {
        return model().snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(Snapshot.Peer::state).orElse(null);
    }

    private void pair() throws Exception {
        waitFor("the pairing dialog", () -> DemoWindow.find("#question-code").isPresent());
        robot.clickOn(robot.lookup("Confirm").queryAs(Button.class));
        waitFor("paired", () -> cardState() == PeerState.PAIRED);
        waitFor("the demo's camera on its card", () -> DemoWindow.find(CARD + " #peer-device-test_camera")
                .isPresent());
    }

    private MenuItem demoItem(String id) throws Exception {
        return fx(() -> {
            MenuBar bar = (MenuBar) robot.lookup(".menu-bar").query();
            Menu demoMenu = bar.getMenus().stream().filter(m -> "menu-demo".equals(m.getId())).findFirst()
                    .orElseThrow();
            return demoMenu.getItems().stream().filter(i -> id.equals(i.getId())).findFirst().orElseThrow();
        });
    }

    private boolean disabled(MenuItem item) throws Exception {
        return fx(item::isDisable);
    }

    private String itemText(MenuItem item) throws Exception {
        return fx(item::getText);
    }

    @Test
    void shouldDisableBorrowForWhatIsBorrowedAndShowAStalledBorrowUntilPicturesReturn() throws Exception {
        pair();
        DemoWindow.click(robot, CARD + " #borrow-from-peer-test_camera");
        waitFor("borrowing", () -> model().snapshot().borrows().size() == 1
                && !model().snapshot().borrows().get(0).waiting());
        waitFor("Borrow disabled", () -> DemoWindow.find(CARD + " #borrow-from-peer-test_camera")
                .map(Node::isDisabled).orElse(false));
        Tooltip tip = fx(() -> (Tooltip) robot.lookup(CARD + " #borrow-wrap-test_camera").query().getProperties()
                .get("javafx.scene.control.Tooltip"));
        assertEquals("Already borrowed: see This host", tip.getText(), "the reason, readable while disabled");
        SplitMenuButton mic = robot.lookup(CARD + " #borrow-from-peer-test_microphone").queryAs(SplitMenuButton.class);
        assertFalse(mic.isDisabled(), "another device stays borrowable");

        int channel = model().snapshot().borrows().get(0).channel();
        waitFor("a live row", () -> text("#borrow-test_camera").equals("Test camera (test pattern) from "
                + Fabrics.DEMO_PEER_NAME + " (preview)"));
        model().hub().session(DemoFabric.DEMO_PEER_UUID).orElseThrow().pause(channel, true);
        waitFor("the row says stalled", () -> text("#borrow-test_camera").matches("Test camera \\(test pattern\\)"
                + " from " + Fabrics.DEMO_PEER_NAME + ": stalled, no picture for \\d+ s"));
        model().hub().session(DemoFabric.DEMO_PEER_UUID).orElseThrow().pause(channel, false);
        waitFor("live again by itself", () -> text("#borrow-test_camera").endsWith("(preview)"));

        DemoWindow.click(robot, "#return-test_camera");
        waitFor("Borrow enabled again", () -> DemoWindow.find(CARD + " #borrow-from-peer-test_camera")
                .map(n -> !n.isDisabled()).orElse(false));
    }

    @Test
    void shouldDisableDemoMenuItemsThatCannotActAndSayWhy() throws Exception {
        MenuItem ask = demoItem("demo-ask-camera");
        MenuItem giveBack = demoItem("demo-give-back");
        MenuItem cable = demoItem("demo-cable");
        waitFor("the pairing dialog", () -> DemoWindow.find("#question-code").isPresent());
        assertTrue(disabled(ask), "nothing can be asked before pairing");
        assertEquals("Demo laptop asks for Test camera (not paired)", itemText(ask));
        pair();
        waitFor("asking possible once paired", () -> {
            try {
                return !disabled(ask);
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(disabled(giveBack));
        assertEquals("Demo laptop gives back what it borrows (nothing borrowed)", itemText(giveBack));

        fx(() -> {
            ask.fire();
            return null;
        });
        waitFor("the consent question", () -> questions.first(Questions.Kind.CONSENT).isPresent());
        assertTrue(disabled(ask), "no second request while the first waits for an answer");
        // The question is asked before its dialog is drawn: wait for the button itself.
        waitFor("the consent dialog's buttons", () -> DemoWindow.find("Allow once").isPresent());
        robot.clickOn(robot.lookup("Allow once").queryAs(Button.class));
        waitFor("the demo borrows the camera", () -> demo.borrowing().size() == 1);
        waitFor("give back possible", () -> {
            try {
                return !disabled(giveBack) && disabled(ask);
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals("Demo laptop asks for Test camera (already borrowed)", itemText(ask));

        fx(() -> {
            cable.fire();
            return null;
        });
        assertEquals("Plug the emulated cable back in", itemText(cable));
        waitFor("cable out said", () -> {
            try {
                return itemText(ask).endsWith("(cable out)") && disabled(ask) && disabled(giveBack);
            } catch (Exception e) {
                return false;
            }
        });
        fx(() -> {
            cable.fire();
            return null;
        });
        waitFor("paired again", () -> cardState() == PeerState.PAIRED);
        // Read on the JavaFX thread, which adds notices while this thread looks.
        var notices = fx(() -> java.util.List.copyOf(model().notices()));
        assertTrue(notices.stream().noneMatch(n -> n.text().contains(MACHINE)),
                "This host is 'This host' in every notice: " + notices);
        assertTrue(questions.open().stream().noneMatch(q -> q.text().contains(MACHINE)));
    }

    @Test
    void shouldTellTheDemosRefusalsInThisHostsWords() {
        String camera = "Test camera (test pattern)";
        assertEquals("Test camera (test pattern) is already in use by Demo laptop", DemoMenu.words(
                new ConsentDeniedException("'" + MACHINE + "' did not lend the device: already lent",
                        ProtocolError.DEVICE_BUSY), camera, true));
        assertEquals("This host did not lend Test camera (test pattern) to Demo laptop", DemoMenu.words(
                new ConsentDeniedException("'" + MACHINE + "' did not lend the device"), camera, false));
        assertEquals("Demo laptop is not connected to This host now", DemoMenu.words(
                new java.util.concurrent.CompletionException(new org.hopwire.engine.session.SessionException(
                        "no session with the peer now (SUSPENDED)")), camera, false));
    }
}
