package org.hopwire.app.cli;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import org.hopwire.app.core.Hub;
import org.hopwire.app.ui.preview.PreviewView;

/** {@code borrow --output preview} from a terminal: the window's preview view in a window of its own. */
final class CliPreview implements AutoCloseable {
    private volatile Stage stage;
    private volatile PreviewView view;
    private volatile boolean closed;

    private CliPreview() {
    }

    /** True when a window can be opened here. */
    static boolean hasDisplay() {
        return System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
    }

    static CliPreview show(Hub hub, UUID peer, int channel, String title) throws InterruptedException {
        CliPreview p = new CliPreview();
        CountDownLatch shown = new CountDownLatch(1);
        Runnable open = () -> {
            try {
                PreviewView v = new PreviewView(() -> hub.playback(peer, channel));
                Stage s = new Stage();
                s.setTitle(title + " \u2014 Hopwire");
                s.setScene(new Scene(v, 960, 540));
                s.setOnHidden(e -> p.closed = true);
                s.show();
                v.start();
                p.view = v;
                p.stage = s;
            } finally {
                shown.countDown();
            }
        };
        try {
            Platform.startup(open);
        } catch (IllegalStateException running) {
            Platform.runLater(open);
        }
        Platform.setImplicitExit(false);
        shown.await(10, TimeUnit.SECONDS);
        return p;
    }

    /** True once the person closed the preview's window (which gives the device back). */
    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        Platform.runLater(() -> {
            if (view != null) {
                view.stop();
            }
            if (stage != null) {
                stage.close();
            }
        });
    }
}
