package org.hopwire.app.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javafx.application.Platform;
import javafx.stage.Stage;

import org.hopwire.app.HopwireApp;
import org.hopwire.app.core.Questions;
import org.hopwire.app.core.Services;
import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.SessionHandler;

/**
 * The real app on the emulated demo, on a real display (run under Xvfb with {@code -Dglass.platform=gtk}), for the
 * screenshot tour and the UI benchmark. Not a test: it has a main of its own in each tool.
 */
final class Harness implements AutoCloseable {
    final Path dir;
    final Questions questions = new Questions();
    final Services services;
    final HopwireApp app;
    final Stage stage;

    Harness(boolean confirmPairing) throws Exception {
        dir = Files.createTempDirectory("hopwire-tool");
        services = Services.open(dir, Optional.of(Fabrics.Choice.EMULATED), "desk", questions);
        if (confirmPairing) {
            questions.onQuestion(q -> {
                if (q.kind() == Questions.Kind.PAIRING) {
                    q.answer(SessionHandler.Consent.ALLOW_ONCE);
                }
            });
        }
        CompletableFuture<Void> started = new CompletableFuture<>();
        Platform.startup(() -> started.complete(null));
        started.get(10, TimeUnit.SECONDS);
        app = new HopwireApp(services, questions);
        stage = onFx(() -> {
            Stage s = new Stage();
            app.start(s);
            s.setX(20);
            s.setY(20);
            return s;
        });
    }

    static <T> T onFx(java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(20, TimeUnit.SECONDS);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    void awaitPaired() throws InterruptedException {
        await("paired", () -> app.model() != null && app.model().snapshot().peer(DemoFabric.DEMO_PEER_UUID)
                .map(p -> !p.devices().isEmpty()).orElse(false));
    }

    @Override
    public void close() throws Exception {
        onFx(() -> {
            app.window().close();
            stage.close();
            return null;
        });
        services.close();
        Platform.exit();
    }
}
