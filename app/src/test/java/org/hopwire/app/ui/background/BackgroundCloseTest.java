package org.hopwire.app.ui.background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.stage.WindowEvent;

import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.HopwireApp;
import org.hopwire.app.core.DemoPeer;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.desktop.DesktopNotifications;
import org.hopwire.app.desktop.PrivateBus;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.SessionHandler.Consent;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Closing the real window (Monocle) while the Demo laptop borrows this host's test camera: the window asks whether
 * to keep running; Keep running hides it and the lend goes on (questions then come as notifications), Quit ends
 * it, Cancel keeps the window. With nothing lent it closes as before.
 */
class BackgroundCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private final AtomicInteger quits = new AtomicInteger();
    private Services services;
    private HopwireApp app;
    private DemoPeer demo;
    private Stage stage;
    private PrivateBus bus;
    private boolean implicitExit;

    private void start(Optional<DesktopNotifications> notifications) throws Exception {
        services = Services.open(dir, Optional.of(Fabrics.Choice.EMULATED), "desk", questions);
        demo = services.demo().orElseThrow();
        stage = FxToolkit.registerPrimaryStage();
        implicitExit = Platform.isImplicitExit();
        app = (HopwireApp) FxToolkit.setupApplication(() -> {
            HopwireApp a = new HopwireApp(services, questions);
            a.onQuit(quits::incrementAndGet);
            notifications.ifPresent(a::useNotifications);
            return a;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @BeforeEach
    void noBus() {
        bus = null;
    }

    @AfterEach
    void stop() throws Exception {
        Platform.setImplicitExit(implicitExit);
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
        services.close();
        if (bus != null) {
            bus.close();
        }
    }

    private void pairAndLendTheCamera() throws Exception {
        Transfers.await(() -> questions.first(Questions.Kind.PAIRING).isPresent(), WAIT, "pairing question");
        questions.first(Questions.Kind.PAIRING).orElseThrow().answer(Consent.ALLOW_ONCE);
        Transfers.await(() -> services.hub().snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(Snapshot.Peer::state)
                .orElse(null) == PeerState.PAIRED, WAIT, "paired");
        Transfers.await(() -> demo.state() == org.hopwire.engine.session.PeerLink.State.READY, WAIT,
                "the Demo laptop's side ready");
        CompletableFuture<?> lend = demo.askFor(TestDevices.CAMERA_ID);
        Transfers.await(() -> questions.first(Questions.Kind.CONSENT).isPresent(), WAIT, "consent question");
        questions.first(Questions.Kind.CONSENT).orElseThrow().answer(Consent.ALLOW_ONCE);
        lend.get(30, TimeUnit.SECONDS);
        Transfers.await(() -> services.hub().snapshot().lends().size() == 1, WAIT, "lend listed");
    }

    private void closeTheWindow() {
        robot.interact(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private boolean closeQuestionShowing() {
        return DemoWindow.find("#close-question").isPresent();
    }

    private void press(String button) {
        robot.clickOn(button);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void shouldCloseAsBeforeWhenNothingIsLentOrBorrowed() throws Exception {
        start(Optional.empty());
        closeTheWindow();
        assertFalse(closeQuestionShowing());
        assertFalse(stage.isShowing(), "closed");
        assertEquals(0, quits.get(), "closing as today: the toolkit's implicit exit does the rest");
    }

    @Test
    void shouldAskAndKeepLendingInTheBackgroundThenComeBack() throws Exception {
        start(Optional.empty());
        pairAndLendTheCamera();
        closeTheWindow();
        assertTrue(closeQuestionShowing(), "asked");
        assertEquals("Keep lending Test camera (test pattern) to Demo laptop after the window closes?",
                robot.lookup("#close-question .header-panel .label").queryAs(Label.class).getText());
        press("Cancel");
        assertTrue(stage.isShowing(), "Cancel keeps the window");

        closeTheWindow();
        press("Keep running in background");
        assertFalse(stage.isShowing(), "hidden");
        assertTrue(app.inBackground());
        assertFalse(Platform.isImplicitExit(), "the last window hidden does not end the app");
        assertEquals(0, quits.get());
        Thread.sleep(1500);
        assertEquals(1, services.hub().snapshot().lends().size(), "the lend goes on");
        assertFalse(demo.borrowing().isEmpty());

        app.showAgain();
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(stage.isShowing(), "back");
        assertFalse(app.inBackground());
    }

    @Test
    void shouldEndTheLendOnQuit() throws Exception {
        start(Optional.empty());
        app.onQuit(() -> {
            quits.incrementAndGet();
            new Thread(services::close).start(); // what Platform.exit() leads to: stop() closes the services
        });
        pairAndLendTheCamera();
        closeTheWindow();
        press("Quit");
        assertEquals(1, quits.get());
        assertFalse(stage.isShowing());
        Transfers.await(() -> demo.borrowing().isEmpty(), WAIT, "the Demo laptop no longer borrows the camera");
    }

    @Test
    void shouldRaiseANotificationForAQuestionWhileInTheBackgroundAndTakeItsAnswer() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PrivateBus.missing().isEmpty(),
                () -> PrivateBus.missing().orElse(""));
        bus = PrivateBus.start();
        bus.startServer();
        start(Optional.of(new DesktopNotifications(Optional.of(bus.address()))));
        pairAndLendTheCamera();
        assertTrue(bus.shown.isEmpty() || bus.shown.stream().noneMatch(s -> s.summary().contains("wants")),
                "questions asked while the window was in use: " + bus.shown);
        closeTheWindow();
        press("Keep running in background");
        Transfers.await(() -> bus.shown.stream().anyMatch(s -> s.summary().contains("running in the background")),
                WAIT, "the background notice");
        CompletableFuture<?> microphone = demo.askFor(TestDevices.MICROPHONE_ID);
        Transfers.await(() -> bus.shown.stream().anyMatch(s -> s.summary().contains("wants to use Test microphone")),
                WAIT, "the question as a notification");
        PrivateBus.Shown n = bus.shown.stream().filter(s -> s.summary().contains("wants to use Test microphone"))
                .findFirst().orElseThrow();
        assertEquals(List.of("default", "Open Hopwire", "allow-once", "Allow once", "always", "Always", "deny",
                "Deny"), n.actions());
        bus.invoke(n.id(), "allow-once");
        microphone.get(30, TimeUnit.SECONDS);
        Transfers.await(() -> services.hub().snapshot().lends().size() == 2, WAIT, "both lent");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(Window.getWindows().stream().noneMatch(w -> w.getScene() != null
                && w.getScene().getRoot().lookup("#question-consent") != null && w.isShowing()),
                "the window's dialog for the same question closed too");
    }
}
