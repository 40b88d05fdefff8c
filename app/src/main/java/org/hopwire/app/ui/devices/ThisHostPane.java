package org.hopwire.app.ui.devices;

import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Dialog;
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
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.FocusKeeper;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.Ids;
import org.hopwire.app.ui.controls.OwnControlsDialog;
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
    private final Label noLends = hint(Text.tr("host.no.lends"));
    private final Label noBorrows = hint(Text.tr("host.no.borrows"));
    // Null until the first snapshot, so the first one always fills the lists (with their hints when empty).
    private List<Snapshot.Device> shownDevices;
    private List<Snapshot.Lend> shownLends;
    private List<Snapshot.Borrowed> shownBorrows = List.of();
    private List<UUID> shownPaired;
    private List<UUID> shownBorrowsPaired;
    /** The owner's settings dialogs open now, by device id. */
    private final java.util.Map<String, Dialog<Void>> adjusting = new java.util.HashMap<>();

    public ThisHostPane(MainViewModel model, DragSupport drag, PreviewOpener previews) {
        this.model = model;
        this.drag = drag;
        this.previews = previews;
        setId("this-host");
        getStyleClass().addAll("this-host", "drop-target");
        setSpacing(8);
        setPadding(new Insets(12));
        Label title = new Label(Text.tr("host.title"), Icons.icon(Icons.THIS_HOST));
        title.getStyleClass().add("pane-title");
        // Its name as peers see it: with two windows on one machine (one per emulated host) it tells them apart.
        Label name = org.hopwire.app.ui.Tooltips.whenTruncated(new Label(model.localHostName()));
        name.setId("this-host-name");
        name.getStyleClass().add("host-name");
        javafx.scene.layout.HBox heading = new javafx.scene.layout.HBox(8, title, name);
        heading.setAlignment(javafx.geometry.Pos.BASELINE_LEFT);
        getChildren().addAll(heading, section(Text.tr("host.devices")), devices, section(Text.tr("host.lent")), lends,
                section(Text.tr("host.borrowed")), borrows);
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
                    : DeviceLends.of(s.lends()).stream().map(this::lendRow).toList());
        }
        if (!s.borrows().equals(shownBorrows) || !paired.equals(shownBorrowsPaired)
                || borrows.getChildren().isEmpty()) {
            shownBorrows = s.borrows();
            shownBorrowsPaired = paired;
            FocusKeeper.setRows(borrows, s.borrows().isEmpty() ? List.of(noBorrows)
                    : Snapshot.wholeBorrows(s.borrows()).stream().map(b -> borrowRow(b, paired.contains(b.peer())))
                    .toList());
        }
    }

    private Node deviceRow(Snapshot.Device d, Snapshot s) {
        Label name = new Label(d.name(), Icons.deviceOfKind(d.kind()));
        name.setId(Ids.of("device", d.id()));
        name.getStyleClass().add("device");
        name.setWrapText(true);
        name.setMinWidth(110);
        name.setTooltip(new Tooltip(Text.tr("host.device.tip", d.summary())));
        MenuButton offer = new MenuButton(Text.tr("host.offer.to"), Icons.icon(Icons.OFFER));
        offer.setId(Ids.of("offer", d.id()));
        offer.setAccessibleText(Text.tr("host.offer.accessible", d.name()));
        offer.setMinWidth(Region.USE_PREF_SIZE);
        fillOffer(offer, d, s);
        // The peers' states and this host's lends change while the row stays: the items say what is true when shown.
        offer.setOnShowing(e -> fillOffer(offer, d, model.snapshot()));
        HBox row = row(name, offer);
        if (d.isVideo()) {
            Button look = button(Text.tr("host.preview"), Icons.PREVIEW, Ids.of("local-preview", d.id()),
                    e -> previews.openLocal(d.id(), Text.tr("host.preview.local.title", d.name())));
            look.setAccessibleText(Text.tr("host.preview.accessible", d.name()));
            row.getChildren().add(row.getChildren().size() - 1, look);
        }
        if (d.test()) {
            Label badge = new Label(Text.tr("host.test.source"));
            badge.getStyleClass().add("badge");
            badge.setMinWidth(Region.USE_PREF_SIZE);
            row.getChildren().add(1, badge);
        }
        drag.source(name, () -> DragItem.local(d.id(), d.name()));
        return row;
    }

    private void fillOffer(MenuButton offer, Snapshot.Device d, Snapshot s) {
        offer.getItems().clear();
        for (Snapshot.Peer p : s.peers()) {
            // A menu item shows no tooltip, and a disabled one no click: why it cannot be offered is in its words.
            java.util.Optional<String> why = model.whyNot(DragItem.local(d.id(), d.name()), DropTarget.peer(p.uuid()));
            MenuItem item = new MenuItem(why.map(w -> Text.tr("host.offer.item.why", p.name(), p.shortUuid(), w))
                    .orElseGet(() -> Text.tr("host.offer.item", p.name(), p.shortUuid())));
            item.setId(Ids.of("offer-to", p.shortUuid()));
            item.setOnAction(e -> model.drop(DragItem.local(d.id(), d.name()), DropTarget.peer(p.uuid())));
            item.setDisable(why.isPresent());
            offer.getItems().add(item);
        }
        if (offer.getItems().isEmpty()) {
            MenuItem none = new MenuItem(Text.tr("host.no.peer"));
            none.setDisable(true);
            offer.getItems().add(none);
        }
    }

    /**
     * A borrow's and a lend's row for a device that does not exist, to be drawn once out of sight at start: the
     * first real borrow then finds their code, styles and skins warm and costs the UI thread less (issue 14's first
     * borrow stall). Their buttons are never reachable.
     */
    public List<Node> warmUpRows() {
        UUID nobody = new UUID(0, 0);
        return List.of(borrowRow(new Snapshot.Borrowed(nobody, "", 0, "warm-up", "", "", ""), true),
                lendRow(DeviceLends.of(List.of(new Snapshot.Lend(nobody, "", 0, "warm-up", "", ""))).get(0)));
    }

    /**
     * One lent device, naming every peer that borrows it now. One borrower: a Revoke button; several: a Revoke menu
     * with an item per borrower, so revoking one leaves the others borrowing.
     */
    private Node lendRow(DeviceLends d) {
        Label what = new Label(d.text(), Icons.icon(Icons.OFFER));
        what.setId(Ids.of("lend", d.deviceId()));
        what.setTooltip(new Tooltip(d.tip()));
        what.setWrapText(true);
        what.setMinWidth(120);
        Node revoke;
        if (d.lends().size() == 1) {
            Snapshot.Lend l = d.lends().get(0);
            Button b = button(Text.tr("host.revoke"), Icons.REVOKE, Ids.of("revoke", l.deviceId()),
                    e -> model.revoke(l.peer(), l.channel()));
            b.setAccessibleText(Text.tr("host.revoke.accessible", l.deviceName(), l.peerName()));
            revoke = b;
        } else {
            MenuButton menu = new MenuButton(Text.tr("host.revoke"), Icons.icon(Icons.REVOKE));
            menu.setId(Ids.of("revoke", d.deviceId()));
            menu.setMinWidth(Region.USE_PREF_SIZE);
            menu.setAccessibleText(Text.tr("host.revoke.menu.accessible", d.deviceName()));
            for (Snapshot.Lend l : d.lends()) {
                MenuItem item = new MenuItem(Text.tr("host.revoke.from", l.peerName()));
                item.setId(Ids.of("revoke", l.deviceId()) + "-" + Ids.of("from", l.peerName()));
                item.setOnAction(e -> model.revoke(l.peer(), l.channel()));
                menu.getItems().add(item);
            }
            revoke = menu;
        }
        if (!d.deviceId().isEmpty() && !model.hub().ownControls(d.deviceId()).isEmpty()) {
            return row(what, adjustButton(d.deviceId(), d.deviceName(), Ids.of("lend-adjust", d.deviceId()),
                    Text.tr("own.adjust.lent.accessible", d.deviceName(), d.borrowers())), revoke);
        }
        return row(what, revoke);
    }

    /**
     * One borrow as it is: playing (and where to), stalled (no picture for a while, and why when known), waiting for
     * its owner to come back, or being asked for again now that the owner is back ({@code ownerPaired}).
     */
    private Node borrowRow(Snapshot.Borrowed b, boolean ownerPaired) {
        String text;
        if (b.waiting()) {
            text = Text.tr(ownerPaired ? "host.borrow.asking" : "host.borrow.waiting", b.deviceName(), b.peerName());
        } else if (b.stalled()) {
            text = b.stalledReason().isEmpty()
                    ? Text.tr("host.borrow.stalled", b.deviceName(), b.peerName(), b.stalledSeconds())
                    : Text.tr("host.borrow.stalled.because", b.deviceName(), b.peerName(), b.stalledSeconds(),
                    b.stalledReason());
        } else {
            text = Text.tr("host.borrow.row", b.deviceName(), b.peerName(), b.outputs());
        }
        Label what = new Label(text, Icons.icon(b.stalled() ? Icons.WARNING : Icons.BORROW));
        what.setId(Ids.of("borrow", b.deviceId()));
        what.getStyleClass().removeAll("stalled");
        if (b.stalled()) {
            what.getStyleClass().add("stalled");
        }
        what.setTooltip(new Tooltip(text));
        what.setWrapText(true);
        what.setMinWidth(120);
        Button preview = button(Text.tr("host.preview"), Icons.PREVIEW, Ids.of("preview", b.deviceId()),
                e -> previews.open(b.peer(), b.deviceId(), Text.tr("host.borrow.preview.title", b.deviceName(),
                        b.peerName())));
        preview.setDisable(b.waiting());
        Button giveBack = button(Text.tr("host.return"), Icons.RETURN, Ids.of("return", b.deviceId()),
                e -> model.giveBack(b.peer(), b.deviceId()));
        giveBack.setAccessibleText(Text.tr("host.return.accessible", b.deviceName(), b.peerName()));
        return row(what, preview, giveBack);
    }

    /**
     * "Adjust…": the owner's own settings of the device, in one dialog per device (a second click brings the open one
     * forward).
     */
    private Button adjustButton(String deviceId, String deviceName, String id, String accessible) {
        Button b = button(Text.tr("own.adjust"), Icons.ADJUST, id, e -> {
            Dialog<Void> open = adjusting.get(deviceId);
            if (open != null && open.isShowing()) {
                ((javafx.stage.Stage) open.getDialogPane().getScene().getWindow()).toFront();
                return;
            }
            Dialog<Void> d = OwnControlsDialog.open(model, deviceId, deviceName,
                    getScene() == null ? null : getScene().getWindow());
            adjusting.put(deviceId, d);
            d.showingProperty().addListener((o, was, showing) -> {
                if (!showing) {
                    adjusting.remove(deviceId, d);
                }
            });
        });
        b.setAccessibleText(accessible);
        b.setTooltip(new Tooltip(Text.tr("own.adjust.tip", deviceName)));
        return b;
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
