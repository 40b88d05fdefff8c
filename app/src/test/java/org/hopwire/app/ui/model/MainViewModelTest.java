package org.hopwire.app.ui.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

import org.hopwire.app.core.Notice;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.gst.device.TestDevices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The window's model as a plain object: no toolkit, its "UI thread" is a queue the test drains. */
class MainViewModelTest {
    private static final UUID DEMO = DemoFabric.DEMO_PEER_UUID;

    @TempDir
    Path dir;
    private final ConcurrentLinkedQueue<Runnable> uiQueue = new ConcurrentLinkedQueue<>();
    private final Executor ui = uiQueue::add;
    private final Questions questions = new Questions();
    private Services services;
    private MainViewModel model;

    @BeforeEach
    void open() throws Exception {
        services = Services.open(dir, Optional.of(Fabrics.Choice.EMULATED), "desk", questions);
        model = new MainViewModel(services, questions, ui);
    }

    @AfterEach
    void close() {
        model.close();
        services.close();
    }

    private void drain() {
        Runnable r;
        while ((r = uiQueue.poll()) != null) {
            r.run();
        }
    }

    private void awaitOnUi(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        Transfers.await(() -> {
            drain();
            return c.getAsBoolean();
        }, Duration.ofSeconds(15), what);
    }

    @Test
    void shouldChangeItsPropertiesOnlyOnTheUiThreadAndCoalesceSnapshots() throws Exception {
        Transfers.await(() -> uiQueue.size() > 0, Duration.ofSeconds(5), "an update queued");
        assertEquals(0, model.snapshot().peers().size(), "nothing changes until the UI thread runs");
        // The hub ticks twice a second and changes on every event: three ticks at least in 1.5 s.
        Thread.sleep(1500);
        int queued = uiQueue.size();
        drain();
        int notices = model.notices().size();
        // Queued: the first look, one task per notice (none is lost), and the snapshot updates, coalesced.
        int updates = queued - 1 - notices;
        assertTrue(updates <= 1, "at most one snapshot update waits on the UI thread, saw " + updates);
        assertEquals(1, model.snapshot().peers().size());
    }

    @Test
    void shouldExplainEveryDropThatCannotWork() throws Exception {
        awaitOnUi("the demo", () -> model.snapshot().peer(DEMO).isPresent());
        DragItem camera = DragItem.local(TestDevices.CAMERA_ID, "Test camera");
        DragItem theirs = DragItem.ofPeer(DEMO, TestDevices.CAMERA_ID, "Test camera");
        assertEquals(Optional.of("Test camera is already on this host: drop it on a peer to lend it"),
                model.whyNot(camera, DropTarget.THIS_HOST));
        assertEquals(Optional.of("Test camera is on that host already: drop it on This host to borrow it"),
                model.whyNot(theirs, DropTarget.peer(DEMO)));
        assertTrue(model.whyNot(theirs, DropTarget.peer(UUID.randomUUID())).orElseThrow()
                .contains("does not pass devices between two other hosts"));
        assertTrue(model.whyNot(camera, DropTarget.peer(DEMO)).isPresent(), "not paired yet");

        model.drop(camera, DropTarget.peer(DEMO));
        drain();
        Notice n = model.latestNoticeProperty().get();
        assertEquals(Notice.Level.WARNING, n.level());
        assertTrue(n.text().startsWith("Cannot offer Test camera to " + Fabrics.DEMO_PEER_NAME + ": "), n.text());
        assertEquals(n, model.notices().get(0), "newest first in the list");
    }

    @Test
    void shouldLendWhenADeviceIsDroppedOnAPairedPeer() throws Exception {
        questions.onQuestion(q -> q.answer(SessionHandler.Consent.ALLOW_ONCE));
        awaitOnUi("paired", () -> model.snapshot().peer(DEMO).map(p -> p.state() == PeerState.PAIRED)
                .orElse(false));
        DragItem camera = DragItem.local(TestDevices.CAMERA_ID, "Test camera");
        assertEquals(Optional.empty(), model.whyNot(camera, DropTarget.peer(DEMO)));
        assertEquals("Offer Test camera to " + Fabrics.DEMO_PEER_NAME, model.describe(camera, DropTarget.peer(DEMO)));
        model.drop(camera, DropTarget.peer(DEMO));
        awaitOnUi("lent", () -> model.snapshot().lends().size() == 1);
        assertTrue(model.whyNot(camera, DropTarget.peer(DEMO)).orElseThrow().contains("already lent"));
    }

    @Test
    void shouldSayHowToLoadTheVirtualWebcamWhenThereIsNone() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new org.hopwire.gst.playback.VirtualWebcam().devices().isEmpty(),
                "this machine has a v4l2loopback device: the missing-module path cannot be seen here");
        questions.onQuestion(q -> q.answer(SessionHandler.Consent.ALLOW_ONCE));
        awaitOnUi("paired", () -> model.snapshot().peer(DEMO).map(p -> p.state() == PeerState.PAIRED)
                .orElse(false));
        var result = model.borrowAsVirtualWebcam(DEMO, TestDevices.CAMERA_ID);
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> result.get(10,
                java.util.concurrent.TimeUnit.SECONDS));
        awaitOnUi("the how-to", () -> model.latestNoticeProperty().get() != null
                && model.latestNoticeProperty().get().text().contains("sudo modprobe v4l2loopback"));
        assertTrue(model.snapshot().borrows().isEmpty(), "nothing borrowed when it cannot be published");
    }
}
