package org.hopwire.app.ui;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.SessionHandler;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window on the emulated demo, headless under Monocle, as the TestFX tests open it before each test and
 * close it after: services on the emulated fabric, the app shown as an embedder shows it, small pictures.
 */
public final class DemoWindow implements AutoCloseable {
    /** Small pictures: the flows are under test, and both hosts share two cores. */
    public static final String SMALL = "video/x-raw,width=320,height=240,framerate=30/1";

    /** The Demo laptop's card in the peers pane. */
    public static final String DEMO_CARD = "#peer-" + DemoFabric.DEMO_PEER_UUID.toString().substring(0, 8);

    public final Services services;
    public final HopwireApp app;

    private DemoWindow(Services services, HopwireApp app) {
        this.services = services;
        this.app = app;
    }

    /** Opens the services in {@code dir} (this host named {@code hostName}) and shows the window on them. */
    public static DemoWindow open(Path dir, String hostName, Questions questions) throws Exception {
        Services services = Services.open(dir, Optional.of(Fabrics.Choice.EMULATED), hostName, questions);
        try {
            FxToolkit.registerPrimaryStage();
            HopwireApp app = (HopwireApp) FxToolkit.setupApplication(() -> new HopwireApp(services, questions));
            WaitForAsyncUtils.waitForFxEvents();
            app.model().setBorrowCaps(SMALL);
            return new DemoWindow(services, app);
        } catch (Exception | AssertionError e) {
            services.close();
            throw e;
        }
    }

    /**
     * Opens the window with every pairing code confirmed by itself and waits until the Demo laptop is paired and its
     * camera is on its card: where the window tests about borrowing and lending start.
     */
    public static DemoWindow openPaired(Path dir, String hostName, Questions questions) throws Exception {
        questions.onQuestion(q -> {
            if (q.kind() == Questions.Kind.PAIRING) {
                q.answer(SessionHandler.Consent.ALLOW_ONCE);
            }
        });
        DemoWindow w = open(dir, hostName, questions);
        try {
            waitFor("paired", () -> w.app.model().snapshot().peer(DemoFabric.DEMO_PEER_UUID).map(p -> p.state()
                    == PeerState.PAIRED && !p.devices().isEmpty()).orElse(false));
            waitFor("the demo's camera on its card", () -> new FxRobot().lookup(DEMO_CARD
                    + " #peer-device-test_camera").tryQuery().isPresent());
            // The card is made again while the catalog's details arrive: a test's first click waits for the last.
            settled(DEMO_CARD + " #peer-device-test_camera");
            return w;
        } catch (Exception | AssertionError e) {
            w.close();
            throw e;
        }
    }

    /**
     * The node {@code query} finds once the same node has stayed in its window through a snapshot (the hub makes two
     * a second, and a row or card is made again when what it shows changes): a click then lands on what is shown, not
     * on a node that has just been replaced.
     */
    public static javafx.scene.Node settled(String query) throws Exception {
        FxRobot robot = new FxRobot();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            javafx.scene.Node before = robot.lookup(query).tryQuery().orElse(null);
            Thread.sleep(600);
            javafx.scene.Node now = robot.lookup(query).tryQuery().orElse(null);
            if (now != null && now == before && fx(() -> now.getScene() != null)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(query + " did not settle in 20 s");
            }
        }
    }

    /**
     * The centre of what {@code query} finds, as the robot's target: read on the JavaFX thread each time the robot asks
     * (before it moves and again when it arrives), the node looked up anew each time.
     *
     * <p>Use it instead of {@code robot.clickOn(query)} / {@code robot.drag(query)} in a window that snapshots keep
     * changing. Those read the node's bounds on the test thread: bounds are cached lazily, so reading them lays the
     * node out there while the JavaFX thread rebuilds the same card, and a CI run died of it on both threads (an
     * IndexOutOfBoundsException in Parent.updateCachedBounds, which TestFX then rethrew into every later test).
     */
    public static org.testfx.service.query.PointQuery at(String query) {
        return new org.testfx.service.query.impl.CallableBoundsPointQuery(() -> {
            javafx.geometry.Bounds b = fx(() -> find(query).filter(DemoWindow::seen)
                    .map(n -> n.localToScreen(n.getBoundsInLocal())).orElse(null));
            if (b == null) {
                throw new AssertionError(query + " is not shown");
            }
            return b;
        }).atPosition(javafx.geometry.Pos.CENTER);
    }

    /** Whether {@code query} finds a node a person can see now (see {@link #seen}). */
    public static boolean shown(String query) {
        try {
            return fx(() -> find(query).filter(DemoWindow::seen).isPresent());
        } catch (Exception e) {
            throw new IllegalStateException("looking up " + query + " on the JavaFX thread", e);
        }
    }

    /**
     * Whether a person can see {@code node}: in a window, itself and every node above it visible. A node can be in
     * the scene and not seen, like the content of a tab not selected, or a preview's tile that is styled and laid out
     * a pulse before it is shown.
     */
    public static boolean seen(javafx.scene.Node node) {
        if (node.getScene() == null) {
            return false;
        }
        for (javafx.scene.Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** Clicks the centre of what {@code query} finds, aimed on the JavaFX thread ({@link #at}). */
    public static void click(FxRobot robot, String query) {
        robot.clickOn(at(query), javafx.scene.input.MouseButton.PRIMARY);
    }

    /** The header of the main window's tab {@code tabId}, where a person clicks to show it. */
    public static String tabHeader(String tabId) {
        return ".tab-pane > .tab-header-area > .headers-region > #" + tabId;
    }

    /**
     * The node {@code query} finds now, looked up on the JavaFX thread: a look-up walks the children lists the hub's
     * snapshots change there, and one from the test thread died of it in CI (IndexOutOfBoundsException in
     * Parent.lookupAll). Usable in {@link #waitFor}'s conditions.
     */
    public static Optional<javafx.scene.Node> find(String query) {
        FxRobot robot = new FxRobot();
        if (javafx.application.Platform.isFxApplicationThread()) {
            return robot.lookup(query).tryQuery();
        }
        try {
            return fx(() -> robot.lookup(query).tryQuery());
        } catch (Exception e) {
            throw new IllegalStateException("looking up " + query + " on the JavaFX thread", e);
        }
    }

    /** Waits up to 20 s for {@code condition}, failing with what was awaited. */
    public static void waitFor(String what, BooleanSupplier condition) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, condition::getAsBoolean);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out waiting for " + what, e);
        }
    }

    /** Runs {@code c} on the JavaFX thread and returns its result. */
    public static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        try {
            FxToolkit.cleanupApplication(app);
            FxToolkit.cleanupStages();
        } finally {
            services.close();
        }
    }
}
