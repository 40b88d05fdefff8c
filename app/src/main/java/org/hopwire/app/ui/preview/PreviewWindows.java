package org.hopwire.app.ui.preview;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Stage;
import javafx.stage.Window;

import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.model.MainViewModel;

/**
 * One preview window per borrowed device. Closing a preview only stops showing it: the device stays borrowed (its
 * other outputs go on) unless the person ticks "Return it when I close this window".
 */
public final class PreviewWindows {
    private record Key(UUID peer, String deviceId) {
    }

    private final MainViewModel model;
    private final Window owner;
    private final Map<Key, Stage> open = new HashMap<>();
    private final Map<Key, PreviewView> views = new HashMap<>();

    public PreviewWindows(MainViewModel model, Window owner) {
        this.model = model;
        this.owner = owner;
    }

    /** Shows (or brings forward) the preview of a device borrowed from {@code peer}. */
    public void show(UUID peer, String deviceId, String title) {
        Key key = new Key(peer, deviceId);
        Stage existing = open.get(key);
        if (existing != null) {
            existing.toFront();
            return;
        }
        PreviewView view = new PreviewView(() -> model.snapshot().borrows().stream()
                .filter(b -> b.peer().equals(peer) && b.deviceId().equals(deviceId) && !b.waiting()).findFirst()
                .flatMap(b -> model.hub().playback(peer, b.channel())));
        open(key, view, title, true, () -> { });
    }

    /** Shows a preview of one of this host's cameras; it starts on the hub's thread, so the window waits for it. */
    public void showLocal(String deviceId, String title) {
        Key key = new Key(LOCAL, deviceId);
        Stage existing = open.get(key);
        if (existing != null) {
            existing.toFront();
            return;
        }
        model.hub().previewLocal(deviceId).whenComplete((preview, e) -> javafx.application.Platform.runLater(() -> {
            if (e != null) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                model.tell(new org.hopwire.app.core.Notice(org.hopwire.app.core.Notice.Level.WARNING,
                        cause.getMessage()));
                return;
            }
            if (open.containsKey(key)) {
                model.hub().stopPreview(preview);
                return;
            }
            open(key, new PreviewView(preview::playback), title, false, () -> model.hub().stopPreview(preview));
        }));
    }

    /** The key of local previews: no peer. */
    private static final UUID LOCAL = new UUID(0, 0);

    private void open(Key key, PreviewView view, String title, boolean borrowed, Runnable onClosed) {
        CheckBox returnOnClose = new CheckBox("Return it when I close this window");
        returnOnClose.setId("return-on-close");
        Button giveBack = new Button("Return", Icons.icon(Icons.RETURN));
        giveBack.setId("preview-return");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox bar = new HBox(8, returnOnClose, grow, giveBack);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        BorderPane root = new BorderPane(view);
        root.setBottom(bar);
        Stage stage = new Stage();
        stage.initOwner(owner);
        stage.setTitle(title);
        Scene scene = new Scene(root, 640, 420);
        org.hopwire.app.ui.theme.Theme.apply(scene);
        stage.setScene(scene);
        giveBack.setOnAction(e -> {
            model.giveBack(key.peer(), key.deviceId());
            stage.close();
        });
        if (!borrowed) {
            bar.setVisible(false);
            bar.setManaged(false);
        }
        stage.setOnHidden(e -> {
            view.stop();
            open.remove(key);
            views.remove(key);
            onClosed.run();
            if (borrowed && returnOnClose.isSelected()) {
                model.giveBack(key.peer(), key.deviceId());
            }
        });
        open.put(key, stage);
        views.put(key, view);
        view.start();
        place(stage, scene);
        stage.show();
    }

    /** Beside the main window when the screen has room, else over it, cascading from the last preview. */
    private void place(Stage stage, Scene scene) {
        if (owner == null) {
            return;
        }
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        double x = owner.getX() + owner.getWidth() + 8;
        double y = owner.getY() + 24 * (open.size() - 1);
        if (x + scene.getWidth() > screen.getMaxX()) {
            x = owner.getX() + 60 + 24 * (open.size() - 1);
            y = owner.getY() + 60 + 24 * (open.size() - 1);
        }
        stage.setX(x);
        stage.setY(y);
    }

    /** Closes the previews of devices no longer borrowed (returned, revoked, gone). */
    public void closeGone(java.util.List<org.hopwire.app.core.Snapshot.Borrowed> borrowed) {
        java.util.Set<Key> still = new java.util.HashSet<>();
        borrowed.forEach(b -> still.add(new Key(b.peer(), b.deviceId())));
        for (Map.Entry<Key, Stage> e : Map.copyOf(open).entrySet()) {
            if (!e.getKey().peer().equals(LOCAL) && !still.contains(e.getKey())) {
                e.getValue().close();
            }
        }
    }

    /** The view of an open local preview, for tests. */
    public java.util.Optional<PreviewView> localView(String deviceId) {
        return view(LOCAL, deviceId);
    }

    /** The view of an open preview, for tests and the benchmark. */
    public java.util.Optional<PreviewView> view(UUID peer, String deviceId) {
        return java.util.Optional.ofNullable(views.get(new Key(peer, deviceId)));
    }

    public void closeAll() {
        Map.copyOf(open).values().forEach(Stage::close);
    }
}
