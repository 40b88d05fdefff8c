package org.hopwire.app.ui.devices;

import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.FocusKeeper;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.Ids;
import org.hopwire.app.ui.model.DragItem;
import org.hopwire.app.ui.dnd.DragSupport;
import org.hopwire.app.ui.model.DropTarget;
import org.hopwire.app.ui.model.MainViewModel;

/**
 * This host: its devices (drag one onto a peer to offer it, or use "Offer to"), what it lends now and to whom (with
 * Revoke), and what it borrows (with Preview and Return). The whole pane takes a peer's device dropped on it.
 */
public final class ThisHostPane extends VBox {
    /** Opens previews: of a borrowed device (peer, device id, title) or of one of this host's cameras. */
    public interface PreviewOpener {
        void open(UUID peer, String deviceId, String title);

        void openLocal(String deviceId, String title);
    }

    private final MainViewModel model;
    private final DragSupport drag;
    private final PreviewOpener previews;
    private final VBox devices = new VBox(4);
    private final VBox lends = new VBox(4);
    private final VBox borrows = new VBox(4);
    private final Label noLends = hint("Nothing lent. Drag a device onto a peer to offer it.");
    private final Label noBorrows = hint("Nothing borrowed. Drag a peer's device here to borrow it.");
    // Null until the first snapshot, so the first one always fills the lists (with their hints when empty).
    private List<Snapshot.Device> shownDevices;
    private List<Snapshot.Lend> shownLends;
    private List<Snapshot.Borrowed> shownBorrows = List.of();
    private List<UUID> shownPaired;

    public ThisHostPane(MainViewModel model, DragSupport drag, PreviewOpener previews) {
        this.model = model;
        this.drag = drag;
        this.previews = previews;
        setId("this-host");
        getStyleClass().addAll("this-host", "drop-target");
        setSpacing(8);
        setPadding(new Insets(12));
        Label title = new Label("This host", Icons.icon(Icons.THIS_HOST));
        title.getStyleClass().add("pane-title");
        // Its name as peers see it: with two windows on one machine (one per emulated host) it tells them apart.
        Label name = new Label(model.localHostName());
        name.setId("this-host-name");
        name.getStyleClass().add("host-name");
        javafx.scene.layout.HBox heading = new javafx.scene.layout.HBox(8, title, name);
        heading.setAlignment(javafx.geometry.Pos.BASELINE_LEFT);
        getChildren().addAll(heading, section("Devices"), devices, section("Lent to peers"), lends,
                section("Borrowed from peers"), borrows);
        drag.target(this, () -> DropTarget.THIS_HOST);
        model.snapshotProperty().addListener((o, was, now) -> update(now));
        update(model.snapshot());
    }

    private static Label section(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private static Label hint(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("hint");
        l.setWrapText(true);
        return l;
    }

    private void update(Snapshot s) {
        List<UUID> paired = s.peers().stream().filter(p -> p.state() == PeerState.PAIRED).map(Snapshot.Peer::uuid)
                .toList();
        if (!s.devices().equals(shownDevices) || !paired.equals(shownPaired)) {
            shownDevices = s.devices();
            shownPaired = paired;
            FocusKeeper.setRows(devices, s.devices().stream().map(d -> deviceRow(d, s)).toList());
        }
        if (!s.lends().equals(shownLends)) {
            shownLends = s.lends();
            FocusKeeper.setRows(lends, s.lends().isEmpty() ? List.of(noLends)
                    : s.lends().stream().map(this::lendRow).toList());
        }
        if (!s.borrows().equals(shownBorrows) || borrows.getChildren().isEmpty()) {
            shownBorrows = s.borrows();
            FocusKeeper.setRows(borrows, s.borrows().isEmpty() ? List.of(noBorrows)
                    : s.borrows().stream().map(this::borrowRow).toList());
        }
    }

    private Node deviceRow(Snapshot.Device d, Snapshot s) {
        Label name = new Label(d.name(), Icons.device(d.isVideo()));
        name.setId(Ids.of("device", d.id()));
        name.getStyleClass().add("device");
        name.setWrapText(true);
        name.setMinWidth(110);
        name.setTooltip(new Tooltip(d.summary() + "\nDrag onto a peer to offer it."));
        MenuButton offer = new MenuButton("Offer to", Icons.icon(Icons.OFFER));
        offer.setId(Ids.of("offer", d.id()));
        offer.setAccessibleText("Offer " + d.name() + " to a peer");
        offer.setMinWidth(Region.USE_PREF_SIZE);
        for (Snapshot.Peer p : s.peers()) {
            MenuItem item = new MenuItem(p.name() + " (" + p.shortUuid() + ")");
            item.setOnAction(e -> model.drop(DragItem.local(d.id(), d.name()), DropTarget.peer(p.uuid())));
            item.setDisable(model.whyNot(DragItem.local(d.id(), d.name()), DropTarget.peer(p.uuid())).isPresent());
            offer.getItems().add(item);
        }
        if (offer.getItems().isEmpty()) {
            MenuItem none = new MenuItem("No peer on the cable");
            none.setDisable(true);
            offer.getItems().add(none);
        }
        HBox row = row(name, offer);
        if (d.isVideo()) {
            Button look = button("Preview", Icons.PREVIEW, Ids.of("local-preview", d.id()),
                    e -> previews.openLocal(d.id(), d.name() + " on this host"));
            look.setAccessibleText("Preview " + d.name());
            row.getChildren().add(row.getChildren().size() - 1, look);
        }
        if (d.test()) {
            Label badge = new Label("test source");
            badge.getStyleClass().add("badge");
            badge.setMinWidth(Region.USE_PREF_SIZE);
            row.getChildren().add(1, badge);
        }
        drag.source(name, () -> DragItem.local(d.id(), d.name()));
        return row;
    }

    private Node lendRow(Snapshot.Lend l) {
        Label what = new Label(l.deviceName() + ": in use by " + l.peerName(), Icons.icon(Icons.OFFER));
        what.setId(Ids.of("lend", l.deviceId()));
        what.setTooltip(new Tooltip("Sent as " + l.format()));
        what.setWrapText(true);
        what.setMinWidth(120);
        Button revoke = button("Revoke", Icons.REVOKE, Ids.of("revoke", l.deviceId()), e -> model.revoke(l.peer(),
                l.channel()));
        revoke.setAccessibleText("Revoke " + l.deviceName() + " from " + l.peerName());
        return row(what, revoke);
    }

    private Node borrowRow(Snapshot.Borrowed b) {
        String text = b.waiting() ? b.deviceName() + " from " + b.peerName() + ": waiting for " + b.peerName()
                + " to come back" : b.deviceName() + " from " + b.peerName() + " (" + b.outputs() + ")";
        Label what = new Label(text, Icons.icon(Icons.BORROW));
        what.setId(Ids.of("borrow", b.deviceId()));
        what.setWrapText(true);
        what.setMinWidth(120);
        Button preview = button("Preview", Icons.PREVIEW, Ids.of("preview", b.deviceId()),
                e -> previews.open(b.peer(), b.deviceId(), b.deviceName() + " from " + b.peerName()));
        preview.setDisable(b.waiting());
        Button giveBack = button("Return", Icons.RETURN, Ids.of("return", b.deviceId()),
                e -> model.giveBack(b.peer(), b.deviceId()));
        giveBack.setAccessibleText("Return " + b.deviceName() + " to " + b.peerName());
        return row(what, preview, giveBack);
    }

    private static Button button(String text, String icon, String id,
                                 Consumer<javafx.event.ActionEvent> action) {
        Button b = new Button(text, Icons.icon(icon));
        b.setId(id);
        b.setOnAction(action::accept);
        b.setMinWidth(Region.USE_PREF_SIZE); // the label wraps; the button's words never shrink to "..."
        return b;
    }

    private static HBox row(Node label, Node... actions) {
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox row = new HBox(6);
        row.getChildren().add(label);
        row.getChildren().add(grow);
        row.getChildren().addAll(actions);
        row.setAlignment(Pos.CENTER_LEFT);
        row.getStyleClass().add("row");
        return row;
    }

    /** For tests: the borrows shown now. */
    public List<Snapshot.Borrowed> shownBorrows() {
        return Objects.requireNonNull(shownBorrows);
    }
}
