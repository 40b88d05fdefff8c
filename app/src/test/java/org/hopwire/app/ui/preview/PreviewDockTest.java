package org.hopwire.app.ui.preview;

import static org.hopwire.app.ui.DemoWindow.fx;
import static org.hopwire.app.ui.DemoWindow.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitMenuButton;
import javafx.scene.control.TabPane;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.ui.DemoWindow;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The previews in the main window, headless under Monocle on the emulated demo: a borrow shows its preview docked in
 * the Preview tab (unless turned off), a tile pops out and comes back, a microphone shows a level meter, a preview
 * says when its pictures stopped, a recording is announced, and the virtual webcam item says what it needs.
 */
class PreviewDockTest {
    private static final String SMALL = "video/x-raw,width=320,height=240,framerate=30/1";
    private static final String CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);
    private static final String CAMERA_TILE = "#preview-tile-test_camera";

    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final Questions questions = new Questions();
    private DemoWindow window;
    private Services services;
    private HopwireApp app;

    @BeforeEach
    void start() throws Exception {
        window = DemoWindow.openPaired(dir, "desk", questions);
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

    private PreviewWindows previews() {
        return app.window().previews();
    }

    private long cameraPictures() {
        return previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID).map(PreviewView::framesShown)
                .orElse(0L);
    }

    private boolean live(String deviceId) {
        return model().snapshot().borrows().stream().anyMatch(b -> b.deviceId().equals(deviceId) && !b.waiting());
    }

    private Optional<Node> tile() {
        return DemoWindow.find(CAMERA_TILE);
    }

    /** The camera's tile is in the dock and a person can see it (it joins the dock a pulse before it shows). */
    private boolean tileShown() {
        return DemoWindow.shown(CAMERA_TILE);
    }

    @Test
    void shouldDockThePreviewOfADraggedBorrowInTheMainWindowAndSelectItsTab() throws Exception {
        robot.drag(DemoWindow.at(CARD + " #peer-device-test_camera"), MouseButton.PRIMARY)
                .dropTo(DemoWindow.at("#this-host"));
        waitFor("the preview tile", this::tileShown);
        assertSame(app.window().scene(), tile().get().getScene(), "docked in the main window, not a window of its own");
        TabPane below = robot.lookup("#below").queryAs(TabPane.class);
        assertEquals("tab-preview", below.getSelectionModel().getSelectedItem().getId(), "its tab is selected");
        assertEquals("Test camera (test pattern) from " + Fabrics.DEMO_PEER_NAME,
                robot.lookup(CAMERA_TILE + " #preview-title").queryAs(Label.class).getText());
        waitFor("pictures in the docked preview", () -> cameraPictures() >= 10);
        assertFalse(robot.lookup("#preview-empty").queryAs(Label.class).isVisible());
        DemoWindow.click(robot, CAMERA_TILE + " #preview-return");
        waitFor("returned, and its tile gone", () -> model().snapshot().borrows().isEmpty() && tile().isEmpty());
        assertTrue(robot.lookup("#preview-empty").queryAs(Label.class).isVisible(), "the dock says what goes there");
    }

    @Test
    void shouldShowPicturesThroughTwoImagesTakingTurnsCentredInTheView() throws Exception {
        DemoWindow.click(robot, CARD + " #borrow-from-peer-test_camera");
        waitFor("pictures in the docked preview", () -> tileShown() && cameraPictures() >= 5);
        // A new image per picture costs the renderer a new texture (and in software a new array) per frame: the
        // view copies into two images that take turns, so many pictures show through the same two.
        java.util.Set<javafx.scene.image.Image> seen = java.util.Collections.newSetFromMap(
                new java.util.IdentityHashMap<>());
        long first = cameraPictures();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cameraPictures() < first + 15 && System.nanoTime() < deadline) {
            seen.add(fx(() -> robot.lookup(CAMERA_TILE + " #preview-image")
                    .queryAs(javafx.scene.image.ImageView.class).getImage()));
            Thread.sleep(15);
        }
        assertTrue(cameraPictures() >= first + 15, "pictures kept coming");
        assertTrue(seen.size() <= 2, "pictures shown through at most two images, not " + seen.size());
        // Placed by the view itself: centred, whatever the picture's shape.
        fx(() -> {
            PreviewView view = previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID).orElseThrow();
            javafx.scene.image.ImageView image = robot.lookup(CAMERA_TILE + " #preview-image")
                    .queryAs(javafx.scene.image.ImageView.class);
            javafx.geometry.Bounds b = image.getBoundsInParent();
            assertTrue(b.getWidth() > 0 && b.getHeight() > 0, "the picture has a size: " + b);
            assertEquals(view.getWidth() / 2, b.getMinX() + b.getWidth() / 2, 1.0, "centred across");
            assertEquals(view.getHeight() / 2, b.getMinY() + b.getHeight() / 2, 1.0, "centred down");
            assertTrue(b.getWidth() <= view.getWidth() + 0.5 && b.getHeight() <= view.getHeight() + 0.5,
                    "inside the view");
            // The view asks for the height of its pictures' shape at a width.
            double shape = image.getImage().getHeight() / image.getImage().getWidth();
            double inner = 400 - view.snappedLeftInset() - view.snappedRightInset();
            assertEquals(inner * shape, view.prefHeight(400) - view.snappedTopInset() - view.snappedBottomInset(),
                    1.0, "the pictures' shape");
            return null;
        });
    }

    @Test
    void shouldPopOutIntoItsOwnWindowAndComeBackWhenThatWindowCloses() throws Exception {
        DemoWindow.click(robot, CARD + " #borrow-from-peer-test_camera");
        waitFor("the preview tile", () -> tileShown() && cameraPictures() >= 5);
        DemoWindow.click(robot, CAMERA_TILE + " #preview-pop-out");
        waitFor("popped out", () -> previews().isPoppedOut(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID));
        assertTrue(tile().isEmpty(), "the tile left the dock");
        Scene own = robot.lookup("#return-on-close").query().getScene();
        assertNotSame(app.window().scene(), own);
        // Wide enough for its bar's words, and a size floor for the window manager (openbox mapped it at 200x200).
        fx(() -> {
            javafx.scene.layout.Region bar = (javafx.scene.layout.Region) robot.lookup("#return-on-close").query()
                    .getParent();
            assertTrue(own.getWidth() >= bar.prefWidth(-1) - 1, "the bar fits: " + own.getWidth() + " for "
                    + bar.prefWidth(-1));
            assertEquals(320, ((Stage) own.getWindow()).getMinWidth(), 0.5);
            return null;
        });
        assertEquals("Test camera (test pattern) from " + Fabrics.DEMO_PEER_NAME, ((Stage) own.getWindow())
                .getTitle());
        long before = cameraPictures();
        waitFor("pictures go on in its window", () -> cameraPictures() > before + 5);

        fx(() -> {
            own.getWindow().hide();
            return null;
        });
        waitFor("docked again", this::tileShown);
        assertTrue(live(TestDevices.CAMERA_ID), "closing its window does not return the device");
        long docked = cameraPictures();
        waitFor("pictures go on in the dock", () -> cameraPictures() > docked + 5);

        DemoWindow.click(robot, CAMERA_TILE + " #preview-pop-out");
        waitFor("popped out again", () -> DemoWindow.find("#return-on-close").isPresent());
        DemoWindow.click(robot, "#return-on-close");
        assertTrue(robot.lookup("#return-on-close").queryAs(CheckBox.class).isSelected());
        fx(() -> {
            robot.lookup("#return-on-close").query().getScene().getWindow().hide();
            return null;
        });
        waitFor("returned as asked", () -> model().snapshot().borrows().isEmpty());
        assertTrue(previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID).isEmpty());
    }

    /**
     * A tile joins the dock unseen a pulse after it is made, and shows a pulse later (styling and painting apart, for
     * the first borrow's stall): what happens to it meanwhile wins. Popped out or hidden in the pulse it was made, it
     * never lands in the dock; a popped-out one still gets its pictures.
     */
    @Test
    void shouldKeepWhatHappensToATileBeforeItShows() throws Exception {
        services.settings().update(s -> s.withPreviewOnBorrow(false));
        model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL);
        waitFor("borrowed", () -> live(TestDevices.CAMERA_ID));
        fx(() -> {
            previews().show(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, "Test camera");
            assertTrue(tile().isEmpty(), "made, not yet in the dock");
            previews().popOut(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID);
            return null;
        });
        waitFor("pictures in its own window", () -> cameraPictures() >= 5);
        WaitForAsyncUtils.sleep(200, TimeUnit.MILLISECONDS);
        assertTrue(previews().isPoppedOut(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID));
        assertTrue(tile().isEmpty(), "a popped-out tile is not put in the dock as well");
        fx(() -> {
            robot.lookup("#return-on-close").query().getScene().getWindow().hide();
            return null;
        });
        waitFor("back in the dock once its window closed", this::tileShown);

        DemoWindow.click(robot, CAMERA_TILE + " #preview-hide");
        waitFor("hidden", () -> tile().isEmpty());
        fx(() -> {
            previews().show(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, "Test camera");
            previews().closeGone(java.util.List.of());
            return null;
        });
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(tile().isEmpty(), "closed before it joined the dock: it never does");
        assertTrue(previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID).isEmpty());
        assertTrue(robot.lookup("#preview-empty").queryAs(Label.class).isVisible(), "the dock says what goes there");
    }

    @Test
    void shouldNotShowThePreviewWhenThePersonTurnedThatOff() throws Exception {
        services.settings().update(s -> s.withPreviewOnBorrow(false));
        DemoWindow.click(robot, CARD + " #borrow-from-peer-test_camera");
        waitFor("borrowed", () -> live(TestDevices.CAMERA_ID));
        WaitForAsyncUtils.sleep(800, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(tile().isEmpty(), "no preview unless asked for");
        DemoWindow.click(robot, "#preview-test_camera");
        waitFor("the preview, asked for", () -> tileShown() && cameraPictures() > 0);
    }

    @Test
    void shouldKeepAHiddenPreviewHiddenWhileItsBorrowLasts() throws Exception {
        model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, Outputs.PREVIEW, SMALL);
        waitFor("the preview tile", this::tileShown);
        DemoWindow.click(robot, CAMERA_TILE + " #preview-hide");
        waitFor("hidden", () -> tile().isEmpty());
        WaitForAsyncUtils.sleep(600, TimeUnit.MILLISECONDS);
        assertTrue(live(TestDevices.CAMERA_ID), "hiding is not returning");
        assertTrue(tile().isEmpty(), "the next snapshots do not bring it back");
    }

    @Test
    void shouldShowALevelMeterForABorrowedMicrophone() throws Exception {
        model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.MICROPHONE_ID, Outputs.PREVIEW, "");
        waitFor("the microphone's tile", () -> DemoWindow.find("#preview-tile-test_microphone").isPresent());
        PreviewView view = previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.MICROPHONE_ID).orElseThrow();
        waitFor("levels on the meter", () -> view.levelsShown() >= 5);
        assertTrue(view.showsMeter(), "a meter, not a black picture");
        assertFalse(robot.lookup("#preview-tile-test_microphone #preview-image").query().isVisible());
        waitFor("the tone on the bar", () -> view.meterFraction() > 0.2);
        String value = robot.lookup("#preview-tile-test_microphone #preview-meter-value").queryAs(Label.class)
                .getText();
        assertTrue(value.matches("Peak -?\\d+[.,]\\d dB · RMS -?\\d+[.,]\\d dB"), value);
        assertTrue(robot.lookup("#preview-tile-test_microphone .level-meter-name").queryAs(Label.class).getText()
                .startsWith("Test microphone"));
        assertFalse(view.isStalled());
    }

    /** The microphone's owner leaves: the meter says stalled and the preview keeps going (it threw every pulse). */
    @Test
    void shouldKeepAMicrophonesMeterStalledNotBrokenWhileItsOwnerIsAway() throws Exception {
        java.util.List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = fx(() -> {
            Thread.UncaughtExceptionHandler h = Thread.currentThread().getUncaughtExceptionHandler();
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> thrown.add(e));
            return h;
        });
        try {
            model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.MICROPHONE_ID, Outputs.PREVIEW, "");
            waitFor("the microphone's tile", () -> previews().view(DemoFabric.DEMO_PEER_UUID,
                    TestDevices.MICROPHONE_ID).map(PreviewView::levelsShown).orElse(0L) >= 3);
            PreviewView view = previews().view(DemoFabric.DEMO_PEER_UUID, TestDevices.MICROPHONE_ID).orElseThrow();
            services.demo().orElseThrow().unplug();
            waitFor("stalled", view::isStalled);
            assertTrue(view.showsMeter(), "still a meter");
            assertTrue(view.overlayText().startsWith("Stalled"), view.overlayText());
            WaitForAsyncUtils.sleep(500, TimeUnit.MILLISECONDS);
            assertTrue(thrown.isEmpty(), "the preview threw: " + thrown);
        } finally {
            fx(() -> {
                Thread.currentThread().setUncaughtExceptionHandler(before);
                return null;
            });
        }
    }

    @Test
    void shouldAnnounceARecordingWhenItStartsAndStops() throws Exception {
        Path file = dir.resolve("Test camera 2026-12-06 19-05-12.mkv");
        model().borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, Outputs.PREVIEW.withRecording(file), SMALL);
        waitFor("the start announced", () -> model().notices().stream().anyMatch(n -> n.text().startsWith(
                "Recording Test camera (test pattern) from " + Fabrics.DEMO_PEER_NAME + " to " + file.getFileName())));
        waitFor("pictures", () -> cameraPictures() >= 15);
        model().giveBack(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID);
        waitFor("the end announced, with the file, its length and size", () -> model().notices().stream()
                .anyMatch(n -> n.text().matches("Stopped recording Test camera \\(test pattern\\): "
                        + java.util.regex.Pattern.quote(file.getFileName().toString())
                        + ", \\d+:\\d\\d, [\\d.,]+ (kB|MB|bytes)")));
        assertTrue(Files.size(file) > 0);
    }

    @Test
    void shouldOfferTheVirtualWebcamOnlyWithV4l2loopbackAndSayWhatToInstall() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(Path.of("/sys/module/v4l2loopback"))
                || Files.isDirectory(Path.of("/lib/modules", System.getProperty("os.version"))),
                "this machine may be able to make a virtual camera");
        org.hopwire.app.core.VirtualCameraCheck.startChecking().get(10, TimeUnit.SECONDS);
        SplitMenuButton borrow = robot.lookup(CARD + " #borrow-from-peer-test_camera").queryAs(SplitMenuButton.class);
        AtomicReference<MenuItem> item = new AtomicReference<>();
        fx(() -> {
            borrow.show();
            item.set(borrow.getItems().stream().filter(i -> "borrow-as-webcam".equals(i.getId())).findFirst()
                    .orElseThrow());
            borrow.hide();
            return null;
        });
        assertTrue(item.get().isDisable(), "cannot be made here");
        assertEquals("Borrow as a virtual webcam (needs v4l2loopback: sudo apt install v4l2loopback-dkms, then "
                + "restart Hopwire)", item.get().getText());
    }

    /**
     * A preview fed by hand asks its playback for pictures of the size it shows them at, and shows those pixel for
     * pixel (the renderer copies rather than scales them); made larger, it asks again once its size holds.
     */
    @Test
    void shouldAskForPicturesOfItsOwnSizeAndShowThemPixelForPixel() throws Exception {
        String caps = "video/x-raw,format=NV12,width=640,height=360,framerate=30/1";
        try (Playback p = Playback.start("size-test", caps, Outputs.PREVIEW, new Playback.Listener() { })) {
            PreviewView view = handView(p);
            ByteBuffer nv12 = ByteBuffer.allocateDirect(640 * 360 * 3 / 2);
            java.util.concurrent.atomic.AtomicBoolean feeding = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread feeder = new Thread(() -> {
                for (long n = 0; feeding.get(); n++) {
                    p.push(new MediaFrame(0, n, n * 33_333_333L, -1, 33_333_333L, FragmentHeader.KEY_FRAME,
                            nv12.duplicate()));
                    try {
                        Thread.sleep(33);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            feeder.start();
            try {
                javafx.scene.image.ImageView image = (javafx.scene.image.ImageView) view.lookup("#preview-image");
                try {
                    waitFor("pictures of the view's 200x150 (shape kept: 200x113)", () -> java.util.Arrays.equals(
                            p.previewBox(), new int[] {200, 150}) && shownSize(image).equals("200x113"));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ": the box " + java.util.Arrays.toString(p.previewBox())
                            + ", pictures of " + shownSize(image), e);
                }
                fx(() -> {
                    javafx.geometry.Bounds b = image.getBoundsInParent();
                    assertEquals(200, b.getWidth(), 0.01, "pixel for pixel across");
                    assertEquals(113, b.getHeight(), 0.01, "pixel for pixel down");
                    assertEquals(19, b.getMinY(), 1.0, "centred");
                    return null;
                });
                fx(() -> {
                    view.getScene().getWindow().setWidth(320);
                    view.getScene().getWindow().setHeight(240);
                    return null;
                });
                waitFor("pictures of the larger view", () -> p.previewBox()[0] == 320 && shownSize(image)
                        .startsWith("320x"));
                fx(() -> {
                    assertEquals(320, image.getBoundsInParent().getWidth(), 0.01, "pixel for pixel again");
                    return null;
                });
            } finally {
                feeding.set(false);
                feeder.join();
                closeHandView(view);
            }
        }
    }

    /** A preview of {@code p} in a 200x150 window of its own, started: a preview fed by hand. */
    private static PreviewView handView(Playback p) throws Exception {
        return fx(() -> {
            PreviewView v = new PreviewView(() -> Optional.of(p), "Hand camera", "Hand laptop");
            Stage s = new Stage();
            s.setScene(new Scene(v, 200, 150));
            s.show();
            v.start();
            return v;
        });
    }

    private static void closeHandView(PreviewView view) throws Exception {
        fx(() -> {
            view.stop();
            view.getScene().getWindow().hide();
            return null;
        });
    }

    private static String shownSize(javafx.scene.image.ImageView image) {
        try {
            return fx(() -> image.getImage() == null ? "none"
                    : (int) image.getImage().getWidth() + "x" + (int) image.getImage().getHeight());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A preview fed by hand: it says "Stalled" 2 s after the last picture, and recovers when pictures return. */
    @Test
    void shouldSayStalledWhenPicturesStopAndRecoverWhenTheyReturn() throws Exception {
        String caps = "video/x-raw,format=NV12,width=64,height=48,framerate=30/1";
        try (Playback p = Playback.start("stall-test", caps, Outputs.PREVIEW, new Playback.Listener() { })) {
            PreviewView view = handView(p);
            ByteBuffer nv12 = ByteBuffer.allocateDirect(64 * 48 * 3 / 2);
            long[] n = {0};
            Runnable push = () -> p.push(new MediaFrame(0, n[0], n[0]++ * 33_333_333L, -1, 33_333_333L,
                    FragmentHeader.KEY_FRAME, nv12.duplicate()));
            for (int i = 0; i < 30; i++) {
                push.run();
                Thread.sleep(33);
            }
            waitFor("pictures", () -> view.framesShown() > 5);
            assertFalse(view.isStalled());
            assertTrue(view.overlayText().startsWith("raw NV12 64x48"), view.overlayText());
            long stoppedAt = System.nanoTime();
            waitFor("stalled", view::isStalled);
            assertTrue(System.nanoTime() - stoppedAt >= PreviewView.STALLED_AFTER_NS - 100_000_000L,
                    "not before 2 s");
            waitFor("the reason", () -> view.overlayText().startsWith("Stalled: nothing arrives from Hand laptop"));
            for (int i = 0; i < 30 && view.isStalled(); i++) {
                push.run();
                Thread.sleep(33);
            }
            waitFor("recovered", () -> !view.isStalled() && view.overlayText().startsWith("raw NV12"));
            closeHandView(view);
        }
    }
}
