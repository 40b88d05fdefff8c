package org.hopwire.app.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javafx.application.Platform;

import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.settings.SettingsDialog;
import org.hopwire.app.ui.theme.Theme;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.gst.device.TestDevices;
import org.hopwire.gst.playback.Outputs;

/**
 * Takes the README's screenshots of the main flows: run by {@code scripts/screenshots} under Xvfb (with a window
 * manager when one is named), it drives the real app on the emulated demo and has ImageMagick's {@code import}
 * photograph the screen after each step. Arguments: the folder to write to.
 */
public final class ScreenshotTour {
    private ScreenshotTour() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/screenshots");
        Files.createDirectories(out);
        try (Harness h = new Harness(false)) {
            // 1. First launch: the Demo laptop is on the cable, both hosts show the pairing code.
            Harness.await("the pairing question", () -> h.questions.first(Questions.Kind.PAIRING).isPresent());
            Thread.sleep(1500);
            shoot(out.resolve("1-pairing.png"));
            h.questions.first(Questions.Kind.PAIRING).orElseThrow().answer(SessionHandler.Consent.ALLOW_ONCE);
            h.awaitPaired();

            // 2. Borrowing the demo's camera and microphone: the docked previews (a picture with its overlay, a
            //    level meter), the link panel with live throughput, the notices stacked above the status bar.
            var hub = h.services.hub();
            hub.borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.CAMERA_ID, Outputs.PREVIEW,
                    "video/x-raw,width=1280,height=720,framerate=30/1").get();
            hub.borrow(DemoFabric.DEMO_PEER_UUID, TestDevices.MICROPHONE_ID, Outputs.PREVIEW, "").get();
            Harness.await("both borrows listed", () -> h.app.model().snapshot().borrows().stream()
                    .filter(b -> !b.waiting()).count() == 2);
            Thread.sleep(4000);
            shoot(out.resolve("2-borrowing.png"));
            Harness.onFx(() -> {
                h.app.window().previews().tab().getTabPane().getSelectionModel().select(0);
                return null;
            });
            Thread.sleep(1500);
            shoot(out.resolve("2-link.png"));

            // 3. The Demo laptop asks for this host's microphone: the owner is asked.
            h.services.demo().orElseThrow().askFor(TestDevices.MICROPHONE_ID);
            Harness.await("the consent question", () -> h.questions.first(Questions.Kind.CONSENT).isPresent());
            Thread.sleep(800);
            shoot(out.resolve("3-consent.png"));
            h.questions.first(Questions.Kind.CONSENT).orElseThrow().answer(SessionHandler.Consent.ALLOW_ONCE);
            Harness.await("the lend listed", () -> !h.app.model().snapshot().lends().isEmpty());
            Thread.sleep(1500);
            shoot(out.resolve("4-lending.png"));

            // 4. The same in the dark theme, and Settings over the window.
            Harness.onFx(() -> {
                Theme.setDark(true);
                return null;
            });
            Thread.sleep(1200);
            shoot(out.resolve("8-dark.png"));
            Harness.onFx(() -> {
                SettingsDialog.show(h.app.model(), h.stage, Platform::runLater);
                return null;
            });
            Thread.sleep(1500);
            shoot(out.resolve("9-settings-dark.png"));
            Harness.onFx(() -> {
                javafx.stage.Window.getWindows().stream().filter(w -> w != h.stage).toList()
                        .forEach(w -> ((javafx.stage.Stage) w).close());
                Theme.setDark(false);
                return null;
            });

            // 5. The cable pulled while borrowing: the card says offline, the borrows wait, the previews stall.
            h.services.demo().orElseThrow().unplug();
            Harness.await("offline", () -> h.app.model().snapshot().peers().stream()
                    .allMatch(p -> p.state() == PeerState.OFFLINE));
            Thread.sleep(3000);
            shoot(out.resolve("5-cable-pulled.png"));
            List<Snapshot.Borrowed> waiting = h.app.model().snapshot().borrows();
            System.out.println("borrows while unplugged: " + waiting);
        }
    }

    private static void shoot(Path file) throws Exception {
        Process p = new ProcessBuilder("import", "-window", "root", "-crop", "1800x840+0+0", file.toString())
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("wrote " + file);
    }
}
