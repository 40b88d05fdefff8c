package org.hopwire.app.ui.main;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;

import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.MenuBar;
import javafx.scene.input.MouseButton;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.core.Notice;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.DemoFabric;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Nothing in the way: notices come as toasts that cover nothing and queue, dialogs are owned by the window and open
 * on it without taking it out of maximized, the focus after pairing lands on nothing destructive, and a dragged
 * device let go anywhere either acts or says why.
 */
class WindowMannersTest {
    private static final String CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private DemoWindow window;
    private Services services;
    private HopwireApp app;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.open(dir, "desk", questions);
        services = window.services;
        app = window.app;
    }

    @AfterEach
    void stop() throws Exception {
        window.close();
    }

    private MainViewModel model() {
        return app.model();
    }

    private Toasts toasts() {
        return app.window().toasts();
    }

    private Stage stage() {
        return (Stage) robot.lookup("#main").query().getScene().getWindow();
    }

    private static Bounds onScreen(Node n) {
        return n.localToScreen(n.getBoundsInLocal());
    }

    /** Confirms the code on this host (the demo confirms on its own) and waits for the demo's devices. */
    private void pair() throws Exception {
        waitFor("the pairing dialog", () -> DemoWindow.find("#question-code").isPresent());
        robot.clickOn(robot.lookup("Confirm").queryAs(Button.class));
        waitFor("paired", () -> model().snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(Snapshot.Peer::state)
                .orElse(null) == PeerState.PAIRED);
        waitFor("the demo's camera on its card", () -> DemoWindow.find(CARD + " #peer-device-test_camera")
                .isPresent());
    }

    @Test
    void shouldShowNoticesInTheStatusBandCoveringNothingMovingNothingForOneAndQueueTheRest() throws Exception {
        waitFor("the first notices to go", () -> {
            WaitForAsyncUtils.asyncFx(() -> toasts().getChildren().forEach(t -> ((Button) t.lookup(".toast-close"))
                    .fire()));
            WaitForAsyncUtils.waitForFxEvents();
            return toasts().getChildren().isEmpty() && toasts().waiting() == 0;
        });
        Node body = robot.lookup(".split-pane").query();
        double bodyHeight = fx(() -> body.getLayoutBounds().getHeight());
        Node status = robot.lookup("#status-band #status").query();
        assertTrue(fx(status::isVisible), "the status line shows while no notice does");

        // One notice shows in the status line's band, over the status line: the body above does not move.
        model().tell(new Notice(Notice.Level.INFO, "A notice alone, long enough to fill a good part of the line"));
        waitFor("the notice", () -> toasts().shown().size() == 1 && DemoWindow.shown("#toasts"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(bodyHeight, fx(() -> body.getLayoutBounds().getHeight()), 0.5, "the body keeps its height");
        assertFalse(fx(status::isVisible), "the status line is hidden under it");
        Bounds alone = fx(() -> onScreen(toasts().getChildren().get(0)));
        Bounds band = fx(() -> onScreen(robot.lookup("#status-band").query()));
        assertTrue(alone.getMinY() >= band.getMinY() - 0.5 && alone.getMaxY() <= band.getMaxY() + 0.5,
                "inside the band: " + alone + " / " + band);
        fx(() -> {
            ((Button) toasts().getChildren().get(0).lookup(".toast-close")).fire();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(bodyHeight, fx(() -> body.getLayoutBounds().getHeight()), 0.5, "nor when it goes");
        assertTrue(fx(status::isVisible), "the status line is back");

        for (int i = 1; i <= 5; i++) {
            model().tell(new Notice(Notice.Level.INFO, "Notice number " + i));
        }
        waitFor("three shown, two waiting", () -> toasts().shown().size() == Toasts.SHOWN_AT_MOST
                && toasts().waiting() == 2);
        assertEquals(java.util.List.of("Notice number 1", "Notice number 2", "Notice number 3"),
                toasts().shown().stream().map(Notice::text).toList(), "oldest first, newest last");

        // Stacked upwards in the band, which grew for them: below the body, clear of the menus and every control.
        WaitForAsyncUtils.waitForFxEvents();
        Bounds strip = fx(() -> onScreen(toasts()));
        Bounds menus = fx(() -> onScreen(robot.lookup(".menu-bar").queryAs(MenuBar.class)));
        Bounds bodyNow = fx(() -> onScreen(body));
        Bounds window = fx(() -> onScreen(robot.lookup("#main").query()));
        assertFalse(strip.intersects(menus), "the menus stay uncovered");
        assertTrue(strip.getMinY() >= bodyNow.getMaxY() - 1, "below the body: " + strip + " / " + bodyNow);
        assertTrue(strip.getMaxY() <= window.getMaxY() + 1, "at the window's foot: " + strip + " / " + window);
        assertTrue(fx(() -> body.getLayoutBounds().getHeight()) < bodyHeight, "the body made room for them");
        double centre = (strip.getMinX() + strip.getMaxX()) / 2;
        assertEquals((window.getMinX() + window.getMaxX()) / 2, centre, 2, "horizontally centred");

        // Closing one lets the next waiting one in.
        fx(() -> {
            ((Button) toasts().getChildren().get(0).lookup(".toast-close")).fire();
            return null;
        });
        assertEquals(java.util.List.of("Notice number 2", "Notice number 3", "Notice number 4"),
                fx(() -> toasts().shown().stream().map(Notice::text).toList()));
        assertEquals(1, fx(() -> toasts().waiting()));
        // All of them go by themselves, none stuck.
        waitFor("all gone by themselves", () -> toasts().getChildren().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(bodyHeight, fx(() -> body.getLayoutBounds().getHeight()), 0.5, "no empty strip left behind");
    }

    @Test
    void shouldBoundTheQueueAndShowEveryNoticeWithItsTimeInTheNoticesTab() throws Exception {
        for (int i = 1; i <= 40; i++) {
            model().tell(new Notice(Notice.Level.WARNING, "Warning " + i));
        }
        waitFor("all told", () -> model().notices().size() >= 40);
        assertTrue(fx(() -> toasts().waiting()) <= Toasts.WAITING_AT_MOST, "bounded");
        assertEquals(Toasts.WARNING_SHOWN, Toasts.shownFor(model().notices().stream()
                .filter(n -> n.text().equals("Warning 40")).findFirst().orElseThrow()));
        assertTrue(Toasts.WARNING_SHOWN.greaterThan(Toasts.INFO_SHOWN), "warnings stay longer to be read");

        DemoWindow.click(robot, "#tab-notices .tab-label");
        waitFor("the list's cells", () -> DemoWindow.find("#notices .list-cell").map(n -> ((ListCell<?>) n)
                .getText() != null).orElse(false));
        @SuppressWarnings("unchecked")
        ListCell<Notice> first = robot.lookup("#notices .list-cell").queryAs(ListCell.class);
        Notice n = fx(first::getItem);
        String time = DateTimeFormatter.ofLocalizedTime(FormatStyle.MEDIUM).withZone(ZoneId.systemDefault())
                .format(n.at());
        assertTrue(fx(first::getText).startsWith(time), "its time first: " + fx(first::getText));
        assertTrue(fx(first::getText).endsWith("Warning 40"), "newest first: " + fx(first::getText));
        assertNotNull(fx(first::getGraphic), "its level's icon");
        assertTrue(n.at().isAfter(Instant.now().minusSeconds(60)));
    }

    @Test
    void shouldCutALongNoticeToOneLineWithTheWholeTextInItsTooltipAndOnClick() throws Exception {
        String longText = "Cannot borrow Test camera from Demo laptop: " + "the reason goes on and on ".repeat(20)
                + "and ends here.";
        model().tell(new Notice(Notice.Level.ERROR, longText));
        waitFor("the toast", () -> toasts().shown().stream().anyMatch(x -> x.text().equals(longText)));
        Node toast = fx(() -> toasts().getChildren().stream().filter(t -> ((Notice) t.getUserData()).text()
                .equals(longText)).findFirst().orElseThrow());
        Label text = (Label) toast.lookup(".toast-text");
        assertEquals(longText, fx(() -> text.getTooltip().getText()), "the whole text in the tooltip");
        double cut = fx(text::getHeight);
        assertTrue(cut < fx(() -> text.getFont().getSize()) * 2, "one line: " + cut);
        assertTrue(fx(() -> toast.getBoundsInParent().getWidth()) <= Toasts.MAX_WIDTH + 1);
        robot.clickOn(text);
        waitFor("the whole text", () -> text.getHeight() > cut * 2);
        assertTrue(toast.getStyleClass().contains("toast-error"));
    }

    @Test
    void shouldOpenSettingsCentredOnTheWindowWithoutTakingItOutOfMaximized() throws Exception {
        pair();
        fx(() -> {
            stage().setMaximized(true);
            return null;
        });
        waitFor("maximized", () -> stage().isMaximized());
        robot.push(javafx.scene.input.KeyCode.CONTROL, javafx.scene.input.KeyCode.COMMA);
        waitFor("the settings", () -> DemoWindow.find("#settings-dialog").isPresent());
        Window settings = robot.lookup("#settings-dialog").query().getScene().getWindow();
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(fx(() -> stage().isMaximized()), "still maximized");
        assertDialogOnTheWindow(settings);

        // Help's texts too.
        robot.push(javafx.scene.input.KeyCode.ESCAPE);
        waitFor("settings closed", () -> !settings.isShowing());
        assertTrue(fx(() -> stage().isMaximized()), "still maximized after");
        fx(() -> {
            stage().setMaximized(false);
            stage().setX(40);
            stage().setY(30);
            stage().setWidth(900);
            stage().setHeight(640);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("Help").clickOn("About Hopwire");
        waitFor("the about box", () -> DemoWindow.find("#info-dialog").isPresent());
        assertDialogOnTheWindow(robot.lookup("#info-dialog").query().getScene().getWindow());
    }

    private void assertDialogOnTheWindow(Window w) throws Exception {
        Stage owner = stage();
        assertTrue(w instanceof Stage s && s.getOwner() == owner, "owned by the main window");
        assertEquals(Modality.NONE, fx(() -> ((Stage) w).getModality()), "not modal: the window is not disabled");
        waitFor("centred on the window", () -> Math.abs((w.getX() + w.getWidth() / 2)
                - (owner.getX() + owner.getWidth() / 2)) < 2 && Math.abs((w.getY() + w.getHeight() / 2)
                - (owner.getY() + owner.getHeight() / 2)) < 2);
    }

    @Test
    void shouldPutTheFocusOnNothingDestructiveOnceTheCodeIsConfirmed() throws Exception {
        pair();
        waitFor("the focus back in the window", () -> stage().getScene().getFocusOwner() != null
                && stage().isFocused());
        Node focused = stage().getScene().getFocusOwner();
        assertEquals("peers-scroll", focused.getId(), "the peers' list, not " + focused);
    }

    @Test
    void shouldTakeADropAnywhereOnThisHostsSideAndExplainADropElsewhere() throws Exception {
        pair();
        // Let go over the status bar: nothing there takes a device, so the window says where it goes.
        robot.drag(DemoWindow.at(CARD + " #peer-device-test_camera"), MouseButton.PRIMARY)
                .moveTo(DemoWindow.at(".status-bar"));
        assertEquals("Drop Test camera (test pattern) on This host to borrow it",
                robot.lookup("#drag-ghost").queryAs(Label.class).getText(), "the label says so while there");
        robot.release(MouseButton.PRIMARY);
        waitFor("a notice saying where", () -> model().notices().stream().anyMatch(n -> n.text().equals(
                "Drop Test camera (test pattern) on This host to borrow it")));
        assertTrue(model().snapshot().borrows().isEmpty());

        // The bottom of the left side, far below This host's rows, is This host too.
        Node left = robot.lookup("#this-host-scroll").query();
        Bounds b = fx(() -> onScreen(left));
        javafx.scene.Parent pane = (javafx.scene.Parent) robot.lookup("#this-host").query();
        Bounds rows = fx(() -> onScreen(pane.getChildrenUnmodifiable().get(pane.getChildrenUnmodifiable().size()
                - 1)));
        assertTrue(b.getMaxY() - 20 > rows.getMaxY(), "room below the rows: " + b + " / " + rows);
        robot.drag(DemoWindow.at(CARD + " #peer-device-test_camera"), MouseButton.PRIMARY)
                .moveTo(new javafx.geometry.Point2D(b.getMinX() + b.getWidth() / 2, b.getMaxY() - 12));
        assertTrue(robot.lookup("#this-host").query().getPseudoClassStates().contains(
                javafx.css.PseudoClass.getPseudoClass("drop-hover")), "marked as the place it goes");
        robot.release(MouseButton.PRIMARY);
        waitFor("borrowed", () -> model().snapshot().borrows().size() == 1);
    }
}
