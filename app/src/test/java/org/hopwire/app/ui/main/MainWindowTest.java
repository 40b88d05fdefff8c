package org.hopwire.app.ui.main;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javafx.css.PseudoClass;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.app.core.Notice;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.fabric.HostRow;
import org.hopwire.app.ui.preview.PreviewView;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.session.Borrow;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window, headless under Monocle, on the emulated demo: a person drags, clicks and answers dialogs, and
 * the Demo laptop (a real session inside the app) plays the other host.
 */
class MainWindowTest {
    /** Small pictures: the flows are under test, and both hosts share two cores. */
    static final String SMALL = "video/x-raw,width=320,height=240,framerate=30/1";
    private static final String CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);

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
        window = DemoWindow.open(dir, "desk", questions);
        services = window.services;
        app = window.app;
        demo = services.demo().orElseThrow();
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    /** Gives the keyboard focus to the control the selector finds now, as Tab would, and waits until it has it. */
    private void focus(String selector) throws Exception {
        String id = selector.substring(selector.lastIndexOf('#') + 1);
        waitFor("focus on " + selector, () -> {
            WaitForAsyncUtils.asyncFx(() -> DemoWindow.find(selector).ifPresent(Node::requestFocus));
            WaitForAsyncUtils.waitForFxEvents();
            Node owner = DemoWindow.find(selector).map(n -> n.getScene().getFocusOwner()).orElse(null);
            return owner != null && id.equals(owner.getId());
        });
    }

    private MainViewModel model() {
        return app.model();
    }

    private boolean shown(String query) {
        return DemoWindow.find(query).map(Node::isVisible).orElse(false);
    }

    private String text(String query) {
        return DemoWindow.find(query).map(n -> ((Label) n).getText()).orElse("");
    }

    private PeerState cardState() {
        return model().snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(Snapshot.Peer::state).orElse(null);
    }

    /**
     * Clicks a button of a list row. Rows are rebuilt when a snapshot changes, so the node found a moment ago may have
     * left the scene before the pointer reaches it: then it is looked up again (a person would simply click again).
     */
    private void clickRow(String query) throws Exception {
        for (int attempt = 1; ; attempt++) {
            waitFor(query, () -> DemoWindow.find(query).map(n -> n.getScene() != null).orElse(false));
            try {
                DemoWindow.click(robot, query);
                return;
            } catch (AssertionError replaced) { // gone between the wait and the robot's arrival (DemoWindow.at)
                if (attempt == 3) {
                    throw replaced;
                }
            }
        }
    }

    private void answer(String button) throws Exception {
        waitFor("a dialog with " + button, () -> DemoWindow.find(button).isPresent());
        robot.clickOn(robot.lookup(button).queryAs(Button.class));
    }

    /** Confirms the code on this host (the demo confirms on its own) and waits for the catalog. */
    private void pair() throws Exception {
        waitFor("the pairing code on the card", () -> shown("#pairing-code"));
        String code = text("#pairing-code");
        waitFor("the pairing dialog", () -> DemoWindow.find("#question-code").isPresent());
        assertEquals("Code " + text("#question-code"), code, "dialog and card show the same code");
        answer("Confirm");
        waitFor("paired", () -> cardState() == PeerState.PAIRED);
        waitFor("the demo's camera on its card", () -> DemoWindow.find(CARD + " #peer-device-test_camera")
                .isPresent());
    }

    @Test
    void shouldBorrowByDraggingThePeersCameraOntoThisHostAndShowItsPicturesWithTheirFormat() throws Exception {
        pair();
        assertTrue(text(CARD + " #peer-name").contains(Fabrics.DEMO_PEER_NAME));
        assertTrue(robot.lookup(CARD + " .emulated").queryAs(Label.class).isVisible(), "marked as emulated");
        assertEquals("2 × 20 Gb/s", text(CARD + " #peer-speed"));

        robot.drag(DemoWindow.at(CARD + " #peer-device-test_camera"), MouseButton.PRIMARY)
                .dropTo(DemoWindow.at("#this-host"));
        waitFor("the borrowed camera on This host", () -> DemoWindow.find("#borrow-test_camera").isPresent()
                && !model().snapshot().borrows().get(0).waiting());
        clickRow("#preview-test_camera");
        waitFor("pictures in the preview", () -> previewShown() >= 10);
        // The stream's size, and the size shown when the preview is smaller than the pictures (they are scaled to it).
        waitFor("the overlay naming format, size and rate", () -> text("#preview-overlay").matches(
                "raw \\w+ 320x240( \\(shown at \\d+x\\d+\\))? · \\d+ fps shown"));
        waitFor("throughput on the link panel", () -> model().snapshot().peer(DemoFabric.DEMO_PEER_UUID).orElseThrow()
                .link().receivedBytesPerSecond().stream().anyMatch(v -> v > 1e5));
        // The preview took the tab pane; the link panel is read where a person reads it, on its tab.
        DemoWindow.click(robot, DemoWindow.tabHeader("tab-link"));
        waitFor("the link panel up to date", () -> text("#link-figures").contains("round trip"));
        assertTrue(text("#link-figures").contains(" · encrypted · "), "the protection in force: "
                + text("#link-figures"));

        // Hiding the preview does not end the borrow.
        DemoWindow.click(robot, DemoWindow.tabHeader("tab-preview"));
        DemoWindow.click(robot, "#preview-tile-test_camera #preview-hide");
        waitFor("the preview hidden", () -> previewShown() == 0);
        WaitForAsyncUtils.sleep(600, TimeUnit.MILLISECONDS);
        assertEquals(1, model().snapshot().borrows().size(), "still borrowed after the preview closed");
        clickRow("#return-test_camera");
        waitFor("returned", () -> model().snapshot().borrows().isEmpty() && demo.lending().isEmpty());
    }

    private long previewShown() {
        Optional<PreviewView> v = app.window().previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID);
        return v.map(PreviewView::framesShown).orElse(0L);
    }

    @Test
    void shouldLendByDraggingALocalDeviceOntoThePeer() throws Exception {
        pair();
        robot.drag(DemoWindow.at("#device-test_camera"), MouseButton.PRIMARY).dropTo(DemoWindow.at(CARD));
        waitFor("the lend on This host", () -> text("#lend-test_camera").equals(
                "Test camera (test pattern): in use by " + Fabrics.DEMO_PEER_NAME));
        waitFor("the demo receives it", () -> demo.borrowing().size() == 1);
    }

    @Test
    void shouldAskBeforeLendingLendNothingWhenDeniedAndStopAtOnceOnRevoke() throws Exception {
        pair();
        CompletableFuture<Borrow> denied = demo.askFor(TestDevices.CAMERA_ID);
        waitFor("the consent dialog", () -> DemoWindow.find("#question-consent").isPresent());
        assertTrue(robot.lookup(Fabrics.DEMO_PEER_NAME + " wants to use Test camera (test pattern)").tryQuery()
                .isPresent(), "the question names the peer and the device");
        answer("Deny");
        assertThrows(Exception.class, () -> denied.get(10, TimeUnit.SECONDS));
        assertTrue(model().snapshot().lends().isEmpty());
        assertFalse(DemoWindow.find("#lend-test_camera").isPresent());

        CompletableFuture<Borrow> allowed = demo.askFor(TestDevices.CAMERA_ID);
        answer("Allow once");
        allowed.get(15, TimeUnit.SECONDS);
        waitFor("in use by the demo", () -> DemoWindow.find("#revoke-test_camera").isPresent());
        clickRow("#revoke-test_camera");
        waitFor("revoked on both hosts", () -> model().snapshot().lends().isEmpty() && demo.borrowing().isEmpty());
        assertFalse(DemoWindow.find("#revoke-test_camera").isPresent());
    }

    @Test
    void shouldEndTheSessionWhenThisHostRejectsTheCodeAndPairAgainOnRequest() throws Exception {
        waitFor("the pairing dialog", () -> DemoWindow.find("#question-code").isPresent());
        answer("Reject");
        waitFor("not paired on the card", () -> text(CARD + " #peer-state").equals("not paired"));
        // Looked up again until steady: cards are rebuilt as snapshots arrive, and a lookup can fall between.
        waitFor("Pair again offered (state " + cardState() + ")", () -> shown(CARD + " #pair-again"));
        waitFor("the reason on the card", () -> text(CARD + " #peer-detail").contains("reject"));
        DemoWindow.click(robot, CARD + " #pair-again");
        pair();
    }

    @Test
    void shouldShowTheCablePulledWhileBorrowingAndRecoverWhenItIsBack() throws Exception {
        pair();
        clickRow(CARD + " #borrow-from-peer-test_camera");
        waitFor("borrowing", () -> model().snapshot().borrows().size() == 1
                && !model().snapshot().borrows().get(0).waiting());
        demo.unplug();
        waitFor("offline on the card", () -> text(CARD + " #peer-state").equals("offline"));
        waitFor("the borrow waits", () -> text("#borrow-test_camera").contains("waiting for "
                + Fabrics.DEMO_PEER_NAME + " to come back"));
        // The card can say offline before the notice comes: the session's state and the cable's news travel apart.
        waitFor("the notice", () -> model().notices().stream().anyMatch(n -> n.text().contains("left the cable")));
        // The Streams tab follows the cable too.
        DemoWindow.click(robot, "#tab-streams .tab-label");
        waitFor("no host in the table", () -> hosts().getItems().isEmpty());

        demo.plug();
        waitFor("paired again, with no new code", () -> text(CARD + " #peer-state").equals("paired"));
        waitFor("borrowing again", () -> model().snapshot().borrows().size() == 1
                && !model().snapshot().borrows().get(0).waiting());
        waitFor("the host back in the table", () -> hosts().getItems().size() == 1);
        assertEquals(Fabrics.DEMO_PEER_NAME, hosts().getItems().get(0).name());
    }

    @SuppressWarnings("unchecked")
    private TableView<HostRow> hosts() {
        return (TableView<HostRow>) robot.lookup("#hosts").query();
    }

    @Test
    void shouldMarkDropTargetsAndExplainADropThatCannotWork() throws Exception {
        waitFor("the demo's card", () -> DemoWindow.find(CARD).isPresent());
        // Before pairing nothing can be lent to the demo: its card is marked while dragging, and the drop explains.
        robot.drag(DemoWindow.at("#device-test_camera"), MouseButton.PRIMARY).moveTo(DemoWindow.at(CARD));
        Node card = robot.lookup(CARD).query();
        assertTrue(card.getPseudoClassStates().contains(PseudoClass.getPseudoClass("drop-bad")),
                "the card is marked as a place the device cannot go");
        assertTrue(text("#drag-ghost").startsWith("Cannot drop here: " + Fabrics.DEMO_PEER_NAME), text("#drag-ghost"));
        robot.release(MouseButton.PRIMARY);
        waitFor("a notice saying why", () -> {
            Notice n = model().latestNoticeProperty().get();
            return n != null && n.text().startsWith("Cannot offer Test camera (test pattern) to "
                    + Fabrics.DEMO_PEER_NAME + ": ");
        });
        assertTrue(model().snapshot().lends().isEmpty());
        assertFalse(card.getPseudoClassStates().contains(PseudoClass.getPseudoClass("drop-bad")), "marks cleared");

        // Once paired the card is marked as a place the camera can go, and the label says what a drop does.
        pair();
        robot.drag(DemoWindow.at("#device-test_camera"), MouseButton.PRIMARY).moveTo(DemoWindow.at(CARD));
        assertTrue(card.getPseudoClassStates().contains(PseudoClass.getPseudoClass("drop-ok")), "marked as fit");
        assertEquals("Offer Test camera (test pattern) to " + Fabrics.DEMO_PEER_NAME, text("#drag-ghost"));
        // A local device dropped on This host says where it should go.
        robot.moveTo(DemoWindow.at("#this-host")).release(MouseButton.PRIMARY);
        waitFor("the explanation", () -> model().latestNoticeProperty().get().text().contains(
                "already on this host: drop it on a peer to lend it"));
    }

    @Test
    void shouldBorrowAndReturnWithTheKeyboardOnly() throws Exception {
        pair();
        focus(CARD + " #borrow-from-peer-test_camera");
        robot.type(KeyCode.ENTER);
        waitFor("borrowed by keyboard", () -> DemoWindow.find("#return-test_camera").isPresent()
                && !model().snapshot().borrows().get(0).waiting());
        // The row is rebuilt when the borrow's format arrives: the focus stays on its Return button.
        focus("#return-test_camera");
        robot.type(KeyCode.SPACE);
        waitFor("returned by keyboard", () -> model().snapshot().borrows().isEmpty());
    }

    @Test
    void shouldForgetAPeerAndRefuseWithoutAskingWhenSettingsSaySo() throws Exception {
        pair();
        robot.push(KeyCode.CONTROL, KeyCode.COMMA); // the menu's accelerator: Settings by keyboard
        waitFor("the remembered demo", () -> robot.lookup("#settings-peers").queryListView().getItems().size() == 1);
        // Words, not the values' names (AUTO, AUTOMATIC), in the boxes and in their lists.
        assertEquals("Automatic (USB4 hardware when present)", robot.lookup("#settings-fabric .label")
                .queryLabeled().getText());
        assertEquals("Automatic", robot.lookup("#settings-format .label").queryLabeled().getText());
        robot.clickOn("#settings-format");
        waitFor("the format list", () -> DemoWindow.find("H.264").isPresent());
        robot.push(KeyCode.ESCAPE);
        robot.clickOn("#settings-consent").clickOn("Refuse without asking");
        robot.clickOn("OK");
        waitFor("saved", () -> services.settings().get().consent() == org.hopwire.app.core.Settings.ConsentDefault.DENY);

        CompletableFuture<Borrow> refused = demo.askFor(TestDevices.CAMERA_ID);
        assertThrows(Exception.class, () -> refused.get(10, TimeUnit.SECONDS));
        assertFalse(DemoWindow.find("#question-consent").isPresent(), "no dialog: refused without asking");
        waitFor("a notice saying so", () -> model().notices().stream().anyMatch(n -> n.text().contains(
                "refused without asking")));

        robot.push(KeyCode.CONTROL, KeyCode.COMMA); // the menu's accelerator: Settings by keyboard
        waitFor("the remembered demo", () -> robot.lookup("#settings-peers").queryListView().getItems().size() == 1);
        robot.clickOn(robot.lookup("#settings-peers .list-cell").nth(0).queryAs(Node.class));
        robot.clickOn("#settings-forget");
        // Asked first, as from the card; Forget (not the default) forgets.
        waitFor("the confirmation", () -> DemoWindow.find("#confirm-forget").isPresent());
        robot.clickOn("#confirm-forget");
        waitFor("forgotten", () -> robot.lookup("#settings-peers").queryListView().getItems().isEmpty());
        robot.clickOn("Cancel");
        // Forgotten on both hosts: the next session shows a new code to compare.
        waitFor("pairing again", () -> shown("#pairing-code"));
    }

    @Test
    void shouldLetThePersonChooseHowPicturesAreProtectedOnTheCable() throws Exception {
        assertEquals(FrameSeal.Protection.ENCRYPTED, services.settings().get().dataProtection());
        pair(); // the pairing question comes first and has the focus until answered
        robot.push(KeyCode.CONTROL, KeyCode.COMMA);
        waitFor("the settings dialog", () -> DemoWindow.find("#settings-protection").isPresent());
        ChoiceBox<?> choice = robot.lookup("#settings-protection").queryAs(ChoiceBox.class);
        Label label = robot.lookup(".label").queryAllAs(Label.class).stream().filter(l -> l.getLabelFor() == choice)
                .findFirst().orElseThrow(() -> new AssertionError("no label for the choice"));
        assertEquals("_Picture protection on the cable", label.getText(), "labelled, P its mnemonic");
        assertTrue(label.isMnemonicParsing());
        assertTrue(text("#settings-protection-hint").contains("stronger of the two hosts"),
                text("#settings-protection-hint"));
        assertTrue(text("#settings-protection-hint").contains("next connection"), text("#settings-protection-hint"));
        assertEquals(java.util.List.of("Encrypted (recommended)", "Authenticated only (pictures readable on the cable)",
                "None (for measurement)"), fx(() -> choice.getItems().stream().map(i -> converted(choice, i))
                .toList()), "words, strongest first");
        assertEquals("Encrypted (recommended)", fx(() -> converted(choice, choice.getValue())), "the saved choice");
        // Alt and the label's underlined letter reach the choice from the keyboard.
        assertFalse(choice.isFocused(), "not where the focus starts");
        robot.push(KeyCode.ALT, KeyCode.P);
        waitFor("focus on the choice", () -> choice.getScene().getFocusOwner() == choice);

        robot.clickOn("#settings-protection").clickOn("None (for measurement)");
        robot.clickOn("OK");
        waitFor("saved", () -> services.settings().get().dataProtection() == FrameSeal.Protection.NONE);
        waitFor("written to the file", () -> org.hopwire.app.core.Settings.load(dir).dataProtection()
                == FrameSeal.Protection.NONE);

        robot.push(KeyCode.CONTROL, KeyCode.COMMA);
        waitFor("the settings dialog again", () -> DemoWindow.find("#settings-protection").isPresent());
        ChoiceBox<?> again = robot.lookup("#settings-protection").queryAs(ChoiceBox.class);
        assertEquals("None (for measurement)", fx(() -> converted(again, again.getValue())), "shown as saved");
        robot.clickOn("#settings-protection").clickOn("Authenticated only (pictures readable on the cable)");
        robot.clickOn("Cancel");
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        assertEquals(FrameSeal.Protection.NONE, services.settings().get().dataProtection(), "Cancel keeps it");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String converted(ChoiceBox choice, Object item) {
        return choice.getConverter().toString(item);
    }

    @Test
    void shouldRememberTheWindowsSizeAndPlace() throws Exception {
        javafx.stage.Stage stage = (javafx.stage.Stage) robot.lookup("#main").query().getScene().getWindow();
        fx(() -> {
            stage.setX(33);
            stage.setY(44);
            stage.setWidth(1000);
            stage.setHeight(700);
            stage.hide();
            return null;
        });
        waitFor("remembered", () -> services.settings().get().window().isPresent());
        org.hopwire.app.core.Settings.Window w = services.settings().get().window().orElseThrow();
        assertEquals(33, w.x());
        assertEquals(44, w.y());
        assertEquals(1000, w.width());
        assertEquals(700, w.height());
    }

    @Test
    void shouldPreviewALocalCameraWithoutAnyPeer() throws Exception {
        clickRow("#local-preview-test_camera");
        waitFor("pictures of the local camera", () -> app.window().previews().localView(TestDevices.CAMERA_ID)
                .map(PreviewView::framesShown).orElse(0L) >= 10);
        waitFor("its overlay", () -> text("#preview-overlay").startsWith("raw "));
        assertTrue(model().snapshot().lends().isEmpty() && model().snapshot().borrows().isEmpty(),
                "a look, not a lend");
        DemoWindow.click(robot, "#preview-tile-test_camera #preview-hide");
        waitFor("closed", () -> app.window().previews().localView(TestDevices.CAMERA_ID).isEmpty());
    }

    @Test
    void shouldForgetAPeerFromItsCardOnlyOnceConfirmed() throws Exception {
        pair();
        DemoWindow.click(robot, CARD + " #forget-peer");
        answer("Cancel");
        WaitForAsyncUtils.sleep(500, TimeUnit.MILLISECONDS);
        assertEquals(PeerState.PAIRED, cardState(), "nothing forgotten on Cancel");
        DemoWindow.click(robot, CARD + " #forget-peer");
        // Enter is Cancel: a destructive answer is never the default.
        waitFor("the confirmation", () -> DemoWindow.find("#confirm-forget").isPresent());
        assertTrue(robot.lookup("#confirm-forget-cancel").queryButton().isDefaultButton());
        assertFalse(robot.lookup("#confirm-forget").queryButton().isDefaultButton());
        robot.push(KeyCode.ENTER);
        waitFor("closed", () -> DemoWindow.find("#confirm-forget").isEmpty());
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        assertEquals(PeerState.PAIRED, cardState(), "nothing forgotten on Enter");
        DemoWindow.click(robot, CARD + " #forget-peer");
        answer("#confirm-forget");
        waitFor("a new pairing code", () -> shown("#pairing-code"));
        assertTrue(services.hub().peerStore().list().isEmpty(), "the pairing is gone from the store");
    }
}
