package org.hopwire.app.ui.main;

import java.util.Objects;
import java.util.concurrent.Executor;

import javafx.animation.PauseTransition;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
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
import javafx.util.Duration;

import org.controlsfx.control.NotificationPane;
import org.hopwire.app.core.Notice;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.devices.ThisHostPane;
import org.hopwire.app.ui.dnd.DragSupport;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.app.ui.fabric.FabricView;
import org.hopwire.app.ui.fabric.FabricViewModel;
import org.hopwire.app.ui.link.LinkPanel;
import org.hopwire.app.ui.peers.PeersPane;
import org.hopwire.app.ui.preview.PreviewWindows;
import org.hopwire.app.ui.questions.QuestionDialogs;
import org.hopwire.app.ui.settings.SettingsDialog;

/**
 * The main window: this host on the left, the peers on the right, the live link panel (and the streams and notices)
 * below, a menu bar with Settings, the emulated demo's controls and help. Notices slide in at the top.
 */
public final class MainWindow {
    /** How long a notice stays in the bar; all of them stay in the Notices tab. */
    static final Duration NOTICE_SHOWN = Duration.seconds(6);

    private final MainViewModel model;
    private final Stage stage;
    private final Executor uiThread;
    private final PreviewWindows previews;
    private final QuestionDialogs dialogs;
    private final Scene scene;

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
        ScrollPane right = scroll(peers);
        SplitPane hosts = new SplitPane(left, right);
        hosts.setDividerPositions(0.42);

        TabPane below = new TabPane(tab("Link", new LinkPanel(model)), tab("Streams", new FabricView(fabric,
                model.status())), tab("Notices", noticeList()));
        below.setId("below");
        SplitPane body = new SplitPane(hosts, below);
        body.setOrientation(Orientation.VERTICAL);
        body.setDividerPositions(0.6);

        Label status = new Label(model.status());
        status.setId("status");
        status.getStyleClass().add("status-bar");
        status.setMaxWidth(Double.MAX_VALUE);
        status.setPadding(new Insets(3, 8, 3, 8));

        BorderPane content = new BorderPane(body);
        content.setTop(menus());
        content.setBottom(status);
        NotificationPane notices = new NotificationPane(content);
        notices.setId("notification-pane");
        notices.setShowFromTop(true);
        PauseTransition hide = new PauseTransition(NOTICE_SHOWN);
        hide.setOnFinished(e -> notices.hide());
        model.latestNoticeProperty().addListener((o, was, n) -> {
            if (n != null) {
                notices.show(n.text(), Icons.icon(n.level() == Notice.Level.INFO ? Icons.INFO : Icons.WARNING));
                hide.playFromStart();
            }
        });

        StackPane root = new StackPane(notices, overlay);
        root.setId("main");
        scene = new Scene(root, 1100, 760);
        scene.getStylesheets().add(Objects.requireNonNull(MainWindow.class.getResource(
                "/org/hopwire/app/ui/hopwire.css")).toExternalForm());
        this.dialogs = new QuestionDialogs(model.questions(), stage, uiThread);

        // A preview whose borrow ended (returned, revoked, gone) closes by itself.
        model.snapshotProperty().addListener((o, was, now) -> previews.closeGone(now.borrows()));
    }

    private static ScrollPane scroll(javafx.scene.Node n) {
        ScrollPane s = new ScrollPane(n);
        s.setFitToWidth(true);
        return s;
    }

    private static Tab tab(String title, javafx.scene.Node content) {
        Tab t = new Tab(title, content);
        t.setClosable(false);
        t.setId("tab-" + title.toLowerCase(java.util.Locale.ROOT));
        return t;
    }

    private ListView<Notice> noticeList() {
        ListView<Notice> list = new ListView<>(model.notices());
        list.setId("notices");
        list.setPlaceholder(new Label("Nothing to report yet."));
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Notice n, boolean empty) {
                super.updateItem(n, empty);
                setText(empty || n == null ? null : n.text());
                setGraphic(empty || n == null ? null : Icons.icon(n.level() == Notice.Level.INFO ? Icons.INFO
                        : Icons.WARNING));
            }
        });
        return list;
    }

    private MenuBar menus() {
        MenuItem settings = new MenuItem("Settings…", Icons.icon(Icons.SETTINGS));
        settings.setId("menu-settings");
        settings.setAccelerator(KeyCombination.keyCombination("Shortcut+Comma"));
        settings.setOnAction(e -> SettingsDialog.show(model, stage, uiThread));
        MenuItem quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> stage.close());
        Menu app = new Menu("_Hopwire", null, settings, new SeparatorMenuItem(), quit);

        MenuItem howTo = new MenuItem("How to use Hopwire");
        howTo.setOnAction(e -> info("How to use Hopwire", String.join("\n",
                "Lend: drag one of this host's devices onto a peer's card (or use Offer to).",
                "Borrow: drag a peer's device onto This host (or press Borrow).",
                "The owner's host asks before anything is lent; a lent device can be revoked at any time.",
                "Pairing: both hosts show a code; confirm on both only if the codes match.",
                "Keyboard: Tab moves between actions, Space or Enter presses them; Ctrl+, opens Settings.")));
        MenuItem about = new MenuItem("About Hopwire");
        about.setOnAction(e -> info("About Hopwire", "Hopwire " + org.hopwire.app.core.Services.VERSION
                + ": cameras and microphones between Linux hosts over a USB4 cable.\n" + model.status()));
        Menu help = new Menu("H_elp", null, howTo, about);

        MenuBar bar = new MenuBar(app);
        model.demo().ifPresent(d -> bar.getMenus().add(DemoMenu.create(model, d)));
        bar.getMenus().add(help);
        return bar;
    }

    private void info(String title, String text) {
        Alert a = new Alert(Alert.AlertType.INFORMATION, text);
        a.initOwner(stage);
        a.setTitle(title);
        a.setHeaderText(title);
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

    /** Closes the previews (their pictures are freed). */
    public void close() {
        previews.closeAll();
    }
}
