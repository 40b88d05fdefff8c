package org.hopwire.app.ui.main;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import java.util.List;

import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import javafx.stage.Window;

import org.hopwire.app.core.Notice;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.Pulses;
import org.hopwire.app.ui.devices.ThisHostPane;
import org.hopwire.app.ui.dnd.DragSupport;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.app.ui.fabric.FabricView;
import org.hopwire.app.ui.fabric.FabricViewModel;
import org.hopwire.app.ui.link.LinkPanel;
import org.hopwire.app.ui.peers.PeersPane;
import org.hopwire.app.ui.preview.PreviewWindows;
import org.hopwire.app.ui.questions.OwnedDialog;
import org.hopwire.app.ui.questions.QuestionDialogs;
import org.hopwire.app.ui.settings.SettingsDialog;

/**
 * The main window: this host on the left, the peers on the right, the live link panel (and the streams and notices)
 * below, a menu bar with Settings, the emulated demo's controls and help. Notices come as toasts in a strip of their
 * own above the status bar (never over a control), and all of them stay in the Notices tab with their times.
 */
public final class MainWindow {
    private final MainViewModel model;
    private final Stage stage;
    private final Executor uiThread;
    private final PreviewWindows previews;
    private final QuestionDialogs dialogs;
    private final Scene scene;
    private final Toasts toasts = new Toasts();

    public MainWindow(MainViewModel model, FabricViewModel fabric, Stage stage, Executor uiThread) {
        this.model = Objects.requireNonNull(model, "model");
        this.stage = stage;
        this.uiThread = uiThread;
        this.previews = new PreviewWindows(model, stage);

        Pane overlay = new Pane();
        DragSupport drag = new DragSupport(model, overlay);
        ThisHostPane thisHost = new ThisHostPane(model, drag, new ThisHostPane.PreviewOpener() {
            @Override
            public void open(java.util.UUID peer, String deviceId, String title) {
                previews.show(peer, deviceId, title);
            }

            @Override
            public void openLocal(String deviceId, String title) {
                previews.showLocal(deviceId, title);
            }
        });
        PeersPane peers = new PeersPane(model, drag);
        ScrollPane left = scroll(thisHost);
        // The pane fills the whole left side, so all of it takes a dropped device and shows the drop marks, not
        // only the part its rows cover; it scrolls when its rows need more than the height there is.
        left.setFitToHeight(true);
        left.setId("this-host-scroll");
        ScrollPane right = scroll(peers);
        right.setId("peers-scroll");
        SplitPane hosts = new SplitPane(left, right);
        hosts.setDividerPositions(0.42);

        LinkPanel link = new LinkPanel(model);
        // Scrolls when the tab is shorter than the panel's floors (a small window, several peers): nothing of it is
        // ever cut off out of reach; at the window's first size it fits.
        ScrollPane linkScroll = scroll(link);
        linkScroll.setFitToHeight(true);
        linkScroll.setId("link-scroll");
        Tab linkTab = tab("tab-link", Text.tr("window.tab.link"), linkScroll);
        linkTab.selectedProperty().addListener((o, was, selected) -> link.setShowing(selected));
        TabPane below = new TabPane(linkTab,
                tab("tab-streams", Text.tr("window.tab.streams"), new FabricView(fabric, model.status())),
                tab("tab-notices", Text.tr("window.tab.notices"), noticeList()));
        below.setId("below");
        link.setShowing(linkTab.isSelected());
        previews.attach(below, overlay); // the docked previews' tab, warmed up before the first borrow
        List<Node> warm = new java.util.ArrayList<>(thisHost.warmUpRows());
        warm.add(LinkPanel.warmUpTable());
        drawOnceOutOfSight(overlay, warm);
        SplitPane body = new SplitPane(hosts, below);
        body.setOrientation(Orientation.VERTICAL);
        body.setDividerPositions(0.6);

        Label status = new Label(model.status());
        status.setId("status");
        status.setMaxWidth(Double.MAX_VALUE);
        status.setPadding(new Insets(0, 8, 0, 8));
        status.setTooltip(new javafx.scene.control.Tooltip(model.status()));
        // The status line and the notices share one band at the window's foot, as tall as one notice: a notice
        // shows over the status line (hidden meanwhile) and the body above never moves for it. Done the other way,
        // every notice shrank the body and its going grew it back: the whole window jumped twice, and in software
        // rendering each was a relayout and repaint of all of it (45 to 76 ms, the UI bench's longest idle stall).
        // Only a second notice at once, or one opened whole, makes the band taller.
        status.visibleProperty().bind(Bindings.isEmpty(toasts.getChildren()));
        StackPane band = new StackPane(status, toasts);
        band.setId("status-band");
        band.getStyleClass().add("status-bar");
        StackPane.setAlignment(status, Pos.CENTER_LEFT);
        StackPane.setAlignment(toasts, Pos.BOTTOM_CENTER);

        BorderPane content = new BorderPane(body);
        content.setTop(menus());
        content.setBottom(band);
        model.notices().addListener((ListChangeListener<Notice>) c -> {
            while (c.next()) {
                if (c.wasAdded()) {
                    // The list is newest first: the oldest of those added is shown first.
                    List<? extends Notice> added = c.getAddedSubList();
                    for (int i = added.size() - 1; i >= 0; i--) {
                        toasts.show(added.get(i));
                    }
                }
            }
        });

        StackPane root = new StackPane(content, overlay);
        root.setId("main");
        scene = new Scene(root, 1100, 760);
        org.hopwire.app.ui.theme.Theme.apply(scene);
        // After a pairing code is confirmed the card under the dialog is rebuilt: the focus goes to the peers' list
        // (harmless: Tab moves on into the cards), never to whatever control the rebuild leaves first, like Forget.
        right.setFocusTraversable(true);
        this.dialogs = new QuestionDialogs(model.questions(), stage, uiThread, () -> uiThread.execute(
                right::requestFocus));

        // A preview whose borrow ended (returned, revoked, gone) closes by itself.
        model.snapshotProperty().addListener((o, was, now) -> previews.closeGone(now.borrows()));
    }

    /**
     * Styles, lays out and draws {@code nodes} for a few pulses, nearly transparent and out of the way of the mouse,
     * then drops them: the first time such nodes appear for real (a borrow's row) their code and styles are warm.
     */
    static void drawOnceOutOfSight(Pane overlay, List<Node> nodes) {
        for (Node n : nodes) {
            n.setOpacity(0.01);
            n.setMouseTransparent(true);
            n.setManaged(false);
            n.resizeRelocate(0, 0, 420, Math.max(40, Math.min(200, n.prefHeight(420)))); // a table shows a row
        }
        overlay.getChildren().addAll(nodes);
        Pulses.after(4, () -> overlay.getChildren().removeAll(nodes));
    }

    private static ScrollPane scroll(javafx.scene.Node n) {
        ScrollPane s = new ScrollPane(n);
        s.setFitToWidth(true);
        return s;
    }

    private static Tab tab(String id, String title, javafx.scene.Node content) {
        Tab t = new Tab(title, content);
        t.setClosable(false);
        t.setId(id);
        return t;
    }

    /** Every notice, newest first, with its time (in the locale's format) and its level's icon. */
    private ListView<Notice> noticeList() {
        ListView<Notice> list = new ListView<>(model.notices());
        list.setId("notices");
        list.setPlaceholder(new Label(Text.tr("window.notices.none")));
        DateTimeFormatter time = DateTimeFormatter.ofLocalizedTime(FormatStyle.MEDIUM).withZone(ZoneId.systemDefault());
        list.setCellFactory(v -> new ListCell<>() {
            {
                setWrapText(true);
                setPrefWidth(0); // wrap at the list's width instead of widening it
            }

            @Override
            protected void updateItem(Notice n, boolean empty) {
                super.updateItem(n, empty);
                setText(empty || n == null ? null : noticeLine(n, time));
                setGraphic(empty || n == null ? null : Icons.icon(Toasts.iconOf(n.level())));
            }
        });
        return list;
    }

    /** A line of the Notices tab: "14:02:31  Connected to Demo laptop." */
    static String noticeLine(Notice n, DateTimeFormatter time) {
        return Text.tr("window.notices.line", time.format(n.at()), n.text());
    }

    /** The Hopwire menu: Settings (disabled when null: nothing to set) and Quit; the failure screen has it too. */
    static Menu appMenu(Runnable settingsAction, Runnable quitAction) {
        MenuItem settings = new MenuItem(Text.tr("menu.settings"), Icons.icon(Icons.SETTINGS));
        settings.setId("menu-settings");
        settings.setAccelerator(KeyCombination.keyCombination("Shortcut+Comma"));
        settings.setDisable(settingsAction == null);
        settings.setOnAction(e -> settingsAction.run());
        MenuItem quit = new MenuItem(Text.tr("menu.quit"));
        quit.setId("menu-quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> quitAction.run());
        Menu app = new Menu(Text.tr("menu.app"), null, settings, new SeparatorMenuItem(), quit);
        app.setId("menu-app");
        return app;
    }

    /** The Help menu: how to use Hopwire, and what it is (with {@code status}: the fabric it runs on). */
    static Menu helpMenu(Window owner, Supplier<String> status) {
        MenuItem howTo = new MenuItem(Text.tr("menu.help.howto"));
        howTo.setId("menu-howto");
        howTo.setOnAction(e -> info(owner, Text.tr("menu.help.howto"), Text.tr("help.howto.text")));
        MenuItem about = new MenuItem(Text.tr("menu.help.about"));
        about.setId("menu-about");
        about.setOnAction(e -> info(owner, Text.tr("menu.help.about"), Text.tr("help.about.text",
                org.hopwire.app.core.Services.VERSION, status.get())));
        Menu help = new Menu(Text.tr("menu.help"), null, howTo, about);
        help.setId("menu-help");
        return help;
    }

    private MenuBar menus() {
        MenuBar bar = new MenuBar(appMenu(() -> SettingsDialog.show(model, stage, uiThread), stage::close));
        model.demo().ifPresent(d -> bar.getMenus().add(DemoMenu.create(model, d)));
        bar.getMenus().add(helpMenu(stage, model::status));
        return bar;
    }

    private static void info(Window owner, String title, String text) {
        Alert a = new Alert(Alert.AlertType.INFORMATION, text);
        OwnedDialog.prepare(a, owner);
        a.setTitle(title);
        a.setHeaderText(title);
        a.getDialogPane().setId("info-dialog");
        a.show();
    }

    public Scene scene() {
        return scene;
    }

    public PreviewWindows previews() {
        return previews;
    }

    public QuestionDialogs dialogs() {
        return dialogs;
    }

    /** The toasts strip (tests). */
    Toasts toasts() {
        return toasts;
    }

    /** Closes the previews (their pictures are freed). */
    public void close() {
        previews.closeAll();
    }
}
