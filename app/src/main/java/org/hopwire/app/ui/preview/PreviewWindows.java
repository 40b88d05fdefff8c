package org.hopwire.app.ui.preview;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;

import org.hopwire.app.core.Notice;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.core.VirtualCameraCheck;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.Ids;
import org.hopwire.app.ui.Pulses;
import org.hopwire.app.ui.model.MainViewModel;

/**
 * The previews: a tile per borrowed device (or looked-at local camera) in the main window's Preview tab, which is
 * selected when one opens; a tile can be popped out into a window of its own and comes back when that window is
 * closed. Hiding a preview only stops showing it: the device stays borrowed (its other outputs go on) until the person
 * presses Return, or closes a popped-out window with "Return it when I close this window" ticked.
 *
 * <p>Docked rather than a new window each time: a new native window cost the JavaFX thread 100 to 200 ms at the
 * first borrow (issue 14). The dock is built with the main window, and {@link #attach} warms the picture path
 * (PixelBuffer, WritableImage, ImageView, the first texture) with a tiny picture so the first borrow finds it ready.
 *
 * <p>It also watches the borrows: one that becomes live shows its preview (unless the person turned that off in
 * Settings), whichever way it started (drag, Borrow, the menus, a resume).
 */
public final class PreviewWindows {
    private record Key(UUID peer, String deviceId) {
    }

    /** The key of local previews: no peer. */
    private static final UUID LOCAL = new UUID(0, 0);
    /** The tile drawn out of sight at start: a borrowed camera's, with every part a real one has. */
    private static final Key WARM_UP = new Key(LOCAL, "warm-up");
    /** A docked tile's width, and what a borrowed device's settings add beside its picture when shown. */
    private static final double TILE_WIDTH = 540;
    private static final double SETTINGS_WIDTH = 300;

    private final MainViewModel model;
    private final Window owner;
    private final Map<Key, Tile> tiles = new LinkedHashMap<>();
    private final HBox row = new HBox(8);
    private final Label empty = new Label(Text.tr("preview.dock.empty"));
    private final StackPane dock;
    private final Tab tab;
    private TabPane tabs;
    private Set<Key> live = Set.of();
    private final Set<Key> hiddenByPerson = new HashSet<>();
    private long lastOpenNs;

    public PreviewWindows(MainViewModel model, Window owner) {
        this.model = model;
        this.owner = owner;
        row.setId("preview-row");
        row.setPadding(new Insets(8));
        row.setFillHeight(true);
        ScrollPane scroll = new ScrollPane(row);
        scroll.setFitToHeight(true);
        scroll.setId("preview-scroll");
        empty.getStyleClass().add("hint");
        empty.setWrapText(true);
        empty.setId("preview-empty");
        dock = new StackPane(scroll, empty);
        dock.setId("preview-dock");
        tab = new Tab(Text.tr("preview.tab"), dock);
        tab.setId("tab-preview");
        tab.setClosable(false);
        updateEmpty();
    }

    /**
     * Puts the dock in the main window's tabs, warms the picture path on {@code overlay} (a pane over the window that
     * takes no input) and starts watching the borrows. Also starts the virtual webcam check off this thread, so the
     * peers' menus find it done.
     */
    public void attach(TabPane below, Pane overlay) {
        this.tabs = below;
        below.getTabs().add(tab);
        warmUp(overlay);
        model.snapshotProperty().addListener((o, was, now) -> borrowsChanged(now.borrows()));
        borrowsChanged(model.snapshot().borrows());
        VirtualCameraCheck.startChecking();
    }

    /** The Preview tab (for the window's layout and tests). */
    public Tab tab() {
        return tab;
    }

    // ---- showing ---------------------------------------------------------------------------------------------------

    /** Shows (or brings forward) the preview of a device borrowed from {@code peer}. */
    public void show(UUID peer, String deviceId, String title) {
        Key key = new Key(peer, deviceId);
        hiddenByPerson.remove(key);
        if (bringForward(key)) {
            return;
        }
        String[] names = names(peer, deviceId);
        // A capture card is borrowed as two channels: the picture is its pictures', the meter under it its sound's.
        java.util.function.Function<Boolean, Optional<org.hopwire.gst.playback.Playback>> half = audio -> {
            java.util.List<Snapshot.Borrowed> mine = model.snapshot().borrows().stream()
                    .filter(b -> b.peer().equals(peer) && b.deviceId().equals(deviceId) && !b.waiting()).toList();
            return mine.stream().filter(b -> mine.size() == 1 || b.caps().startsWith("audio/") == audio)
                    .findFirst().flatMap(b -> model.hub().playback(peer, b.channel()));
        };
        PreviewView view = new PreviewView(() -> half.apply(false), names[0], names[1]).withSound(() -> {
            Optional<org.hopwire.gst.playback.Playback> pictures = half.apply(false);
            Optional<org.hopwire.gst.playback.Playback> sound = half.apply(true);
            return pictures.isPresent() && sound.isPresent() && pictures.get() != sound.get() ? sound
                    : Optional.empty();
        });
        open(key, view, title, true, () -> { });
    }

    /** Shows a preview of one of this host's cameras; it starts on the hub's thread, so the tile waits for it. */
    public void showLocal(String deviceId, String title) {
        Key key = new Key(LOCAL, deviceId);
        if (bringForward(key)) {
            return;
        }
        model.hub().previewLocal(deviceId).whenComplete((preview, e) -> Platform.runLater(() -> {
            if (e != null) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                model.tell(new Notice(Notice.Level.WARNING, cause.getMessage()));
                return;
            }
            if (tiles.containsKey(key)) {
                model.hub().stopPreview(preview);
                return;
            }
            open(key, new PreviewView(preview::playback), title, false, () -> model.hub().stopPreview(preview));
        }));
    }

    private boolean bringForward(Key key) {
        Tile t = tiles.get(key);
        if (t == null) {
            return false;
        }
        if (t.window != null) {
            t.window.toFront();
        } else {
            select();
        }
        return true;
    }

    /** The device's and the peer's names, for the meter and the stall reason. */
    /** The settings panel of a device borrowed from a peer: the session and the borrow's channel looked up live. */
    private ControlsPanel controlsFor(Key key) {
        String[] names = names(key.peer(), key.deviceId());
        return new ControlsPanel(() -> model.hub().session(key.peer()), () -> model.snapshot().borrows().stream()
                .filter(b -> b.peer().equals(key.peer()) && b.deviceId().equals(key.deviceId()) && !b.waiting())
                .mapToInt(Snapshot.Borrowed::channel).findFirst(), names[1], names[0]);
    }

    private String[] names(UUID peer, String deviceId) {
        Snapshot s = model.snapshot();
        String device = s.borrows().stream().filter(b -> b.peer().equals(peer) && b.deviceId().equals(deviceId))
                .map(Snapshot.Borrowed::deviceName).findFirst().orElse("");
        String source = s.peer(peer).map(Snapshot.Peer::name).orElse("");
        return new String[] {device, source};
    }

    private void select() {
        if (tabs != null) {
            tabs.getSelectionModel().select(tab);
        }
    }

    /**
     * Opens a tile in three steps, a pulse apart, so that the renderer paints what each changed before the next
     * begins: the tile is made (its controls, tooltips and icons); it joins the dock unseen, where it is styled and
     * laid out; then it is shown, and its tab selected, which leaves only painting. Done in one pulse, those were the
     * first borrow's longest stall (143 ms in one sampled run: making 36, styling 36, laying out 25, then painting).
     */
    private void open(Key key, PreviewView view, String title, boolean borrowed, Runnable onClosed) {
        long start = System.nanoTime();
        Tile t = new Tile(key, view, title, borrowed, onClosed);
        tiles.put(key, t);
        lastOpenNs = System.nanoTime() - start;
        Pulses.after(1, () -> {
            if (t.closing) {
                return;
            }
            long joined = System.nanoTime();
            view.start();
            if (t.window == null) { // not popped out meanwhile (its window holds the picture then)
                t.node.setVisible(false);
                row.getChildren().add(t.node);
            }
            lastOpenNs += System.nanoTime() - joined;
            Pulses.after(1, () -> {
                if (t.closing) {
                    return;
                }
                long shown = System.nanoTime();
                t.node.setVisible(true);
                updateEmpty(); // the dock's hint stays until the tile shows: an open dock never goes blank
                if (t.window == null) {
                    select();
                }
                lastOpenNs += System.nanoTime() - shown;
            });
        });
    }

    /** How long the JavaFX thread spent opening the last preview (the benchmark reports it). */
    public long lastOpenNanos() {
        return lastOpenNs;
    }

    private void updateEmpty() {
        boolean none = row.getChildren().isEmpty();
        empty.setVisible(none);
        empty.setManaged(none);
    }

    /** One preview: docked as a tile, or in its own window after Pop out. */
    private final class Tile {
        final Key key;
        final PreviewView view;
        final String title;
        final boolean borrowed;
        final Runnable onClosed;
        final VBox node;
        final BorderPane holder = new BorderPane();
        Stage window;
        CheckBox returnOnClose;
        boolean closing;
        /** Its place in the dock before it popped out: it comes back there. */
        int dockedAt;
        /** A borrowed device's settings; null for this host's own previews. */
        ControlsPanel controls;
        /** The docked tile's header, where the settings' button goes back after a popped-out window closes. */
        HBox header;
        /** The docked tile's picture and, beside it, a borrowed device's settings. */
        final HBox body = new HBox(8);

        Tile(Key key, PreviewView view, String title, boolean borrowed, Runnable onClosed) {
            this.key = key;
            this.view = view;
            this.title = title;
            this.borrowed = borrowed;
            this.onClosed = onClosed;
            Label name = new Label(title);
            name.setId("preview-title");
            name.getStyleClass().add("preview-title");
            name.setTooltip(new Tooltip(title));
            name.setMinWidth(0);
            Button popOut = new Button(Text.tr("preview.pop.out"));
            popOut.setId("preview-pop-out");
            popOut.setTooltip(new Tooltip(Text.tr("preview.pop.out.tip")));
            popOut.setOnAction(e -> popOut());
            popOut.setMinWidth(Region.USE_PREF_SIZE);
            Button hide = new Button(Text.tr(borrowed ? "preview.hide" : "preview.close"));
            hide.setId("preview-hide");
            hide.setTooltip(new Tooltip(Text.tr(borrowed ? "preview.hide.tip" : "preview.close.tip")));
            hide.setOnAction(e -> {
                if (borrowed) {
                    hiddenByPerson.add(key);
                }
                close();
            });
            hide.setMinWidth(Region.USE_PREF_SIZE);
            Region grow = new Region();
            HBox.setHgrow(grow, Priority.ALWAYS);
            HBox header = new HBox(6, name, grow, popOut, hide);
            if (borrowed) {
                Button giveBack = new Button(Text.tr("preview.return"), Icons.icon(Icons.RETURN));
                giveBack.setId("preview-return");
                giveBack.setTooltip(new Tooltip(Text.tr("preview.return.tip")));
                giveBack.setOnAction(e -> giveBack());
                giveBack.setMinWidth(Region.USE_PREF_SIZE);
                header.getChildren().add(giveBack);
                if (key.equals(WARM_UP) || FormatMenu.applies(model, key.peer(), key.deviceId())) {
                    header.getChildren().add(header.getChildren().size() - 1, new FormatMenu(model, key.peer(),
                            key.deviceId()));
                }
            }
            header.setAlignment(Pos.CENTER_LEFT);
            holder.setCenter(view);
            HBox.setHgrow(holder, Priority.ALWAYS);
            body.getChildren().add(holder);
            VBox.setVgrow(body, Priority.ALWAYS);
            node = new VBox(4, header, body);
            node.setId(Ids.of("preview-tile", key.deviceId()));
            node.getStyleClass().add("preview-tile");
            node.setPrefWidth(TILE_WIDTH);
            node.setMinWidth(280);
            if (borrowed) {
                // The borrowed device's settings, beside the picture (the dock is wide and low), shown with the
                // header's Adjust button; the tile widens by their width instead of squeezing the picture.
                controls = controlsFor(key);
                controls.toggle().setMinWidth(Region.USE_PREF_SIZE);
                header.getChildren().add(1, controls.toggle());
                dock(controls);
                node.prefWidthProperty().bind(javafx.beans.binding.Bindings.when(controls.visibleProperty())
                        .then(TILE_WIDTH + SETTINGS_WIDTH).otherwise(TILE_WIDTH));
                this.header = header;
            }
        }

        /** Puts the settings beside the docked picture. */
        private void dock(ControlsPanel settings) {
            settings.setPadding(Insets.EMPTY);
            settings.setPrefWidth(SETTINGS_WIDTH);
            settings.setMinWidth(SETTINGS_WIDTH);
            body.getChildren().add(settings);
        }

        void giveBack() {
            model.giveBack(key.peer(), key.deviceId());
            close();
        }

        /** Moves the picture into a window of its own; the tile leaves the dock until that window closes. */
        void popOut() {
            if (window != null) {
                window.toFront();
                return;
            }
            holder.setCenter(null);
            dockedAt = row.getChildren().indexOf(node);
            row.getChildren().remove(node);
            updateEmpty();
            returnOnClose = new CheckBox(Text.tr("preview.return.on.close"));
            returnOnClose.setId("return-on-close");
            Button back = new Button(Text.tr("preview.dock.back"));
            back.setId("preview-dock-back");
            back.setTooltip(new Tooltip(Text.tr("preview.dock.back.tip")));
            Button giveBack = new Button(Text.tr("preview.return"), Icons.icon(Icons.RETURN));
            giveBack.setId("preview-return");
            giveBack.setOnAction(e -> giveBack());
            Region grow = new Region();
            HBox.setHgrow(grow, Priority.ALWAYS);
            HBox bar = new HBox(8, returnOnClose, grow, back, giveBack);
            bar.setAlignment(Pos.CENTER_LEFT);
            bar.setPadding(new Insets(6, 8, 6, 8));
            if (!borrowed) {
                returnOnClose.setVisible(false);
                returnOnClose.setManaged(false);
                giveBack.setVisible(false);
                giveBack.setManaged(false);
            }
            BorderPane root = new BorderPane(view);
            root.setBottom(bar);
            if (controls != null) {
                // The settings go with the picture: their button in the window's bar, the panel beside it.
                bar.getChildren().add(1, controls.toggle());
                controls.setPadding(new Insets(6, 8, 6, 8));
                controls.setPrefWidth(300);
                root.setRight(controls);
            }
            Stage stage = new Stage();
            stage.initOwner(owner);
            stage.setTitle(title);
            Scene scene = new Scene(root);
            org.hopwire.app.ui.theme.Theme.apply(scene);
            // As wide as its bar of buttons needs (at least 640): a narrower window cut their words short. The scene
            // takes its root's preferred size, measured once the styles apply.
            root.applyCss();
            root.setPrefSize(Math.max(640, Math.ceil(bar.prefWidth(-1))), 420);
            stage.setScene(scene);
            back.setOnAction(e -> stage.hide());
            stage.setOnHidden(e -> windowClosed(stage));
            window = stage;
            place(stage, root.getPrefWidth());
            // A floor handed to the window manager: openbox maps a window without one at 200x200.
            stage.setMinWidth(320);
            stage.setMinHeight(240);
            stage.show();
            org.hopwire.app.ui.WindowMapping.holdSizeAndPlace(stage);
        }

        /** Its window closed: back into the dock, unless it is closing for good or the person asked to return it. */
        private void windowClosed(Stage stage) {
            if (window != stage) {
                return;
            }
            window = null;
            ((BorderPane) stage.getScene().getRoot()).setCenter(null);
            if (closing) {
                return;
            }
            if (borrowed && returnOnClose.isSelected()) {
                model.giveBack(key.peer(), key.deviceId());
                close();
                return;
            }
            holder.setCenter(view);
            if (controls != null) {
                ((BorderPane) stage.getScene().getRoot()).setRight(null);
                header.getChildren().add(1, controls.toggle());
                dock(controls);
            }
            row.getChildren().add(Math.max(0, Math.min(dockedAt, row.getChildren().size())), node);
            updateEmpty();
            select();
        }

        /** Stops showing it: frees its pictures, leaves the dock (and closes its window). */
        void close() {
            if (closing) {
                return;
            }
            closing = true;
            if (window != null) {
                window.hide();
            }
            view.stop();
            if (controls != null) {
                controls.dispose();
            }
            row.getChildren().remove(node);
            tiles.remove(key);
            updateEmpty();
            onClosed.run();
        }
    }

    /** Beside the main window when the screen has room, else over it, cascading from the last window. */
    private void place(Stage stage, double width) {
        if (owner == null) {
            return;
        }
        long open = tiles.values().stream().filter(t -> t.window != null).count();
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        double x = owner.getX() + owner.getWidth() + 8;
        double y = owner.getY() + 24 * open;
        if (x + width > screen.getMaxX()) {
            x = owner.getX() + 60 + 24 * open;
            y = owner.getY() + 60 + 24 * open;
        }
        stage.setX(x);
        stage.setY(y);
    }

    // ---- the borrows ---------------------------------------------------------------------------------------------

    /**
     * A borrow that became live shows its preview (the person's setting allowing; not one the person hid while it
     * lasts).
     */
    private void borrowsChanged(List<Snapshot.Borrowed> borrows) {
        Set<Key> nowLive = new HashSet<>();
        Set<Key> present = new HashSet<>();
        for (Snapshot.Borrowed b : borrows) {
            Key key = new Key(b.peer(), b.deviceId());
            present.add(key);
            if (b.waiting()) {
                continue;
            }
            nowLive.add(key);
            if (live.contains(key)) {
                continue;
            }
            if (model.settings().get().previewOnBorrow() && !tiles.containsKey(key)
                    && !hiddenByPerson.contains(key)) {
                String title = Text.tr("preview.title", b.deviceName(), b.peerName());
                // At the next pulse, not in this one: the snapshot that makes a borrow live also changes its rows,
                // and in software rendering drawing those and the new tile with its tab in one frame was the longest
                // stall of a borrow's start. Apart, the renderer draws the rows while this thread builds the tile.
                Pulses.after(1, () -> {
                    if (live.contains(key) && !tiles.containsKey(key) && !hiddenByPerson.contains(key)) {
                        show(key.peer(), key.deviceId(), title);
                    }
                });
            }
        }
        hiddenByPerson.retainAll(present);
        live = nowLive;
    }

    // ---- warm-up ---------------------------------------------------------------------------------------------------

    /** Pictures uploaded at start to warm the renderer's conversion code (see {@link #warmUp}). */
    private static final int WARM_UP_UPLOADS = 30;

    /**
     * Draws a picture of the preview's largest size through the same path a preview uses (PixelBuffer, WritableImage,
     * ImageView), at 1x1 on a node the person cannot see, uploads it {@link #WARM_UP_UPLOADS} times, then removes it:
     * the classes, the texture code and its compilation are paid for at start, not at the first borrow. The playback
     * classes are loaded on another thread meanwhile.
     */
    private void warmUp(Pane overlay) {
        CompletableFuture.runAsync(() -> {
            try {
                Class.forName("org.hopwire.gst.playback.Playback", true, PreviewWindows.class.getClassLoader());
                Class.forName("org.hopwire.gst.playback.PreviewFrame", true, PreviewWindows.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // Only a warm-up: the first borrow loads them instead.
            }
        });
        // A picture of the preview's largest size (what a 1080p borrow is scaled to), drawn at 1x1: the renderer
        // makes and fills a texture that size once now rather than at the first borrow.
        int w = org.hopwire.gst.playback.Playback.PREVIEW_MAX_WIDTH;
        int h = org.hopwire.gst.playback.Playback.PREVIEW_MAX_HEIGHT;
        ByteBuffer pixels = ByteBuffer.allocateDirect(w * h * 4);
        PixelBuffer<ByteBuffer> buffer = new PixelBuffer<>(w, h, pixels, PixelFormat.getByteBgraPreInstance());
        ImageView image = new ImageView(new WritableImage(buffer));
        image.setFitWidth(1);
        image.setFitHeight(1);
        // A whole tile (title, buttons, tooltips, icons, the view) styled and laid out once, out of sight.
        Tile tile = new Tile(WARM_UP, new PreviewView(Optional::empty, "", ""), "", true, () -> { });
        tile.node.resizeRelocate(0, 0, 540, 300);
        for (javafx.scene.Node n : List.of(image, tile.node)) {
            n.setOpacity(0.01);
            n.setMouseTransparent(true);
            n.setManaged(false);
        }
        overlay.getChildren().addAll(image, tile.node);
        // A first tooltip costs a popup window and its scene's styles (10 ms or more, cold); the first borrow's rows
        // and tile make several for their cut-short texts.
        new javafx.scene.control.Tooltip("warm-up").getScene();
        new AnimationTimer() {
            private int pulses;

            @Override
            public void handle(long now) {
                // A new upload at each pulse, as every new picture makes: the renderer's conversion of a picture
                // into its texture is Java code that runs interpreted at first (a 720p picture then takes it 100 ms
                // or more) until the JIT has compiled it after some twenty pictures. Paid here, at start, on a
                // 1x1 image nobody sees, not by the first borrow's first pictures.
                if (pulses > 0) {
                    buffer.updateBuffer(b -> null);
                }
                if (++pulses >= WARM_UP_UPLOADS) {
                    stop();
                    overlay.getChildren().removeAll(image, tile.node);
                    image.setImage(null);
                }
            }
        }.start();
    }

    // ---- closing, for the window and tests ------------------------------------------------------------------------

    /** Closes the previews of devices no longer borrowed (returned, revoked, gone). */
    public void closeGone(List<Snapshot.Borrowed> borrowed) {
        Set<Key> still = new HashSet<>();
        borrowed.forEach(b -> still.add(new Key(b.peer(), b.deviceId())));
        for (Tile t : List.copyOf(tiles.values())) {
            if (!t.key.peer().equals(LOCAL) && !still.contains(t.key)) {
                t.close();
            }
        }
    }

    /** The view of an open local preview, for tests. */
    public Optional<PreviewView> localView(String deviceId) {
        return view(LOCAL, deviceId);
    }

    /** The view of an open preview, docked or popped out, for tests and the benchmark. */
    public Optional<PreviewView> view(UUID peer, String deviceId) {
        return Optional.ofNullable(tiles.get(new Key(peer, deviceId))).map(t -> t.view);
    }

    /** Whether the preview is in a window of its own (tests). */
    public boolean isPoppedOut(UUID peer, String deviceId) {
        return Optional.ofNullable(tiles.get(new Key(peer, deviceId))).map(t -> t.window != null).orElse(false);
    }

    /** Pops a preview out into its own window, as its Pop out button does. */
    public void popOut(UUID peer, String deviceId) {
        Optional.ofNullable(tiles.get(new Key(peer, deviceId))).ifPresent(Tile::popOut);
    }

    public void closeAll() {
        List.copyOf(tiles.values()).forEach(Tile::close);
    }
}
