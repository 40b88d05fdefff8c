package org.hopwire.app.ui.peers;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitMenuButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

import org.hopwire.app.core.PeerState;
import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.FocusKeeper;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.Ids;
import org.hopwire.app.ui.model.DragItem;
import org.hopwire.app.ui.dnd.DragSupport;
import org.hopwire.app.ui.model.DropTarget;
import org.hopwire.app.ui.model.MainViewModel;
import org.hopwire.gst.playback.Outputs;

/**
 * One host on the cable: name, short UUID, link speed and lanes, its state (with the pairing code while pairing),
 * and the devices it offers (drag one onto This host, or press Borrow). Drop one of this host's devices on the card
 * to offer it there.
 */
public final class PeerCard extends VBox {
    private final MainViewModel model;
    private final DragSupport drag;
    private final Label name = new Label();
    private final Label emulated = new Label(Text.tr("peer.emulated"));
    private final Label uuid = new Label();
    private final Label speed = new Label();
    private final Label state = new Label();
    private final Label detail = new Label();
    private final Label code = new Label();
    private final Button pairAgain = new Button(Text.tr("peer.pair.again"), Icons.icon(Icons.PAIRING));
    private final Button forget = new Button(Text.tr("peer.forget"));
    private final VBox devices = new VBox(4);
    /** The Borrow button of each device row, with the wrapper that shows its tooltip also while it is disabled. */
    private final java.util.Map<String, SplitMenuButton> borrowButtons = new java.util.HashMap<>();
    private final java.util.Map<String, Tooltip> borrowTips = new java.util.HashMap<>();
    private Snapshot.Peer shown;

    public PeerCard(MainViewModel model, DragSupport drag, Snapshot.Peer peer) {
        this.model = model;
        this.drag = drag;
        setId(Ids.of("peer", peer.shortUuid()));
        getStyleClass().addAll("peer-card", "drop-target");
        setSpacing(6);
        setPadding(new Insets(12));
        name.getStyleClass().add("peer-name");
        name.setGraphic(Icons.icon(Icons.LAPTOP));
        name.setId("peer-name");
        emulated.getStyleClass().addAll("badge", "emulated");
        emulated.setTooltip(new Tooltip(Text.tr("peer.emulated.tip")));
        uuid.getStyleClass().add("muted");
        uuid.setId("peer-uuid");
        speed.getStyleClass().add("muted");
        speed.setId("peer-speed");
        state.setId("peer-state");
        state.getStyleClass().add("peer-state");
        detail.setId("peer-detail");
        detail.setWrapText(true);
        detail.getStyleClass().add("hint");
        code.setId("pairing-code");
        code.getStyleClass().add("pairing-code");
        pairAgain.setId("pair-again");
        pairAgain.setOnAction(e -> model.reconnect(peer.uuid()));
        forget.setId("forget-peer");
        forget.setTooltip(new Tooltip(Text.tr("peer.forget.tip")));
        forget.setOnAction(e -> confirmForget(peer.uuid()));
        HBox header = new HBox(6, name, emulated);
        header.setAlignment(Pos.CENTER_LEFT);
        HBox facts = new HBox(10, uuid, speed);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox stateRow = new HBox(6, state, grow, pairAgain, forget);
        stateRow.setAlignment(Pos.CENTER_LEFT);
        Label offers = new Label(Text.tr("peer.offers"));
        offers.getStyleClass().add("section-title");
        getChildren().addAll(header, facts, stateRow, code, detail, offers, devices);
        drag.target(this, () -> DropTarget.peer(peer.uuid()));
        update(peer);
    }

    /** Shows the peer as it is now; rebuilds the device rows only when they changed. */
    public void update(Snapshot.Peer p) {
        Snapshot.Peer before = shown;
        shown = p;
        name.setText(p.name());
        emulated.setVisible(p.emulated());
        emulated.setManaged(p.emulated());
        uuid.setText(p.shortUuid());
        // Made again only when what they say changes: the card is updated at every snapshot (twice a second), and
        // a tooltip is a popup window with a scene of its own, an icon a node to style and lay out.
        if (before == null || !before.cableId().equals(p.cableId())) {
            uuid.setTooltip(new Tooltip(Text.tr("peer.uuid.tip", p.uuid().toString(), p.cableId())));
        }
        speed.setText(p.state() == PeerState.OFFLINE || p.speedGbps() == 0 ? Text.tr("peer.no.link")
                : Text.tr("peer.speed", p.lanes(), p.speedGbps()));
        state.setText(p.state().text());
        if (before == null || before.state() != p.state()) {
            state.setGraphic(Icons.icon(switch (p.state()) {
                case PAIRED -> Icons.PAIRED;
                case PAIRING -> Icons.PAIRING;
                case CONNECTING -> Icons.CONNECTED;
                case OFFLINE -> Icons.OFFLINE;
                case NOT_PAIRED -> Icons.WARNING;
            }));
            // Only on a change too: touching the style classes restyles the whole card, which then repaints whole.
            getStyleClass().removeAll("state-paired", "state-pairing", "state-connecting", "state-offline",
                    "state-not-paired");
            getStyleClass().add("state-" + p.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        }
        detail.setText(p.detail());
        detail.setVisible(!p.detail().isEmpty());
        detail.setManaged(!p.detail().isEmpty());
        Optional<String> c = p.pairingCode();
        code.setText(c.map(x -> Text.tr("peer.code", x)).orElse(""));
        code.setVisible(c.isPresent());
        code.setManaged(c.isPresent());
        pairAgain.setVisible(p.state() == PeerState.NOT_PAIRED);
        pairAgain.setManaged(p.state() == PeerState.NOT_PAIRED);
        if (before == null || !before.devices().equals(p.devices()) || before.state() != p.state()) {
            borrowButtons.clear();
            borrowTips.clear();
            FocusKeeper.setRows(devices, p.devices().isEmpty() ? List.of(hint(p)) : p.devices().stream()
                    .map(d -> deviceRow(p, d)).toList());
        }
        updateBorrowButtons(p);
    }

    /**
     * Borrow is disabled for a device this host borrows already or waits for, and its tooltip says why (a disabled
     * control shows no tooltip of its own: the wrapper around it does).
     */
    private void updateBorrowButtons(Snapshot.Peer p) {
        List<Snapshot.Borrowed> borrows = model.snapshot().borrows();
        borrowButtons.forEach((id, button) -> {
            boolean borrowed = borrows.stream().anyMatch(b -> b.peer().equals(p.uuid()) && b.deviceId().equals(id));
            button.setDisable(borrowed);
            Tooltip tip = borrowTips.get(id);
            String name = p.device(id).map(Snapshot.Device::name).orElse(id);
            String text = borrowed ? Text.tr("peer.borrow.already") : Text.tr("peer.borrow.accessible", name,
                    p.name());
            if (!text.equals(tip.getText())) {
                tip.setText(text);
            }
        });
    }

    private static Node hint(Snapshot.Peer p) {
        Label l = new Label(switch (p.state()) {
            case PAIRED -> Text.tr("peer.none.offered");
            case OFFLINE -> Text.tr("peer.devices.when.back");
            default -> Text.tr("peer.devices.once.paired");
        });
        l.getStyleClass().add("hint");
        return l;
    }

    private Node deviceRow(Snapshot.Peer p, Snapshot.Device d) {
        Label label = new Label(d.name(), Icons.deviceOfKind(d.kind()));
        label.setId(Ids.of("peer-device", d.id()));
        label.getStyleClass().add("device");
        label.setWrapText(true);
        label.setTooltip(new Tooltip(Text.tr("peer.device.tip", d.summary())));
        SplitMenuButton borrow = new SplitMenuButton();
        borrow.setText(Text.tr("peer.borrow"));
        borrow.setGraphic(Icons.icon(Icons.BORROW));
        borrow.setId(Ids.of("borrow-from-peer", d.id()));
        borrow.setAccessibleText(Text.tr("peer.borrow.accessible", d.name(), p.name()));
        borrow.setMinWidth(Region.USE_PREF_SIZE);
        borrow.setOnAction(e -> model.drop(DragItem.ofPeer(p.uuid(), d.id(), d.name()), DropTarget.THIS_HOST));
        if (d.isVideo()) {
            MenuItem webcam = new MenuItem(Text.tr("menu.webcam"), Icons.icon(Icons.WEBCAM));
            webcam.setId("borrow-as-webcam");
            webcam.setOnAction(e -> borrowAsWebcam(p, d));
            // Disabled, saying why and the fix, when no virtual camera can be made (checked once, off this thread).
            Runnable webcamState = () -> org.hopwire.app.core.VirtualCameraCheck.current().ifPresent(a -> {
                webcam.setText(a.menuText());
                webcam.setDisable(!a.available());
            });
            // For the camera portal and OBS; disabled, saying why, where PipeWire cannot take it (checked once).
            MenuItem pipewire = new MenuItem(Text.tr("menu.pipewire.camera"), Icons.icon(Icons.WEBCAM));
            pipewire.setId("borrow-as-pipewire-camera");
            pipewire.setOnAction(e -> model.borrowAsPipeWireCamera(p.uuid(), d.id()));
            org.hopwire.app.core.PipeWireCameraCheck.startChecking();
            Runnable pipewireState = () -> org.hopwire.app.core.PipeWireCameraCheck.current().ifPresent(a -> {
                pipewire.setText(org.hopwire.app.core.PipeWireCameraCheck.menuText(a));
                pipewire.setDisable(!a.available());
            });
            webcamState.run();
            pipewireState.run();
            borrow.setOnShowing(e -> {
                webcamState.run();
                pipewireState.run();
            });
            MenuItem record = new MenuItem(Text.tr("peer.borrow.record"), Icons.icon(Icons.RECORD));
            record.setOnAction(e -> borrowAndRecord(p, d));
            borrow.getItems().addAll(webcam, pipewire, record);
            MenuItem format = new MenuItem(Text.tr("peer.borrow.format"), Icons.icon(Icons.FORMAT));
            format.setId("borrow-choose-format");
            format.setOnAction(e -> org.hopwire.app.ui.format.FormatDialog.show(getScene() == null ? null
                    : getScene().getWindow(), model, p.uuid(), p.name(), d.id(), d.name()));
            borrow.getItems().add(format);
        } else if (d.isAudioVideo()) {
            // A capture card is borrowed whole, to the preview and the speakers: no webcam or microphone of half.
            MenuItem whole = new MenuItem(Text.tr("card.borrow.whole"), Icons.icon(Icons.CAPTURE_CARD));
            whole.setId("borrow-capture-card");
            whole.setOnAction(e -> model.drop(DragItem.ofPeer(p.uuid(), d.id(), d.name()), DropTarget.THIS_HOST));
            borrow.getItems().add(whole);
        } else {
            MenuItem mic = new MenuItem(Text.tr("menu.virtual.mic"), Icons.device(false));
            mic.setId("borrow-as-virtual-mic");
            mic.setOnAction(e -> model.borrowAsVirtualMicrophone(p.uuid(), d.id()));
            borrow.getItems().add(mic);
        }
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        // The tooltip sits on a wrapper: a disabled button shows none, and a person must read why it is disabled.
        javafx.scene.layout.StackPane borrowWrap = new javafx.scene.layout.StackPane(borrow);
        borrowWrap.setId(Ids.of("borrow-wrap", d.id()));
        borrowWrap.setMinWidth(Region.USE_PREF_SIZE);
        Tooltip tip = new Tooltip();
        Tooltip.install(borrowWrap, tip);
        borrowButtons.put(d.id(), borrow);
        borrowTips.put(d.id(), tip);
        HBox row = new HBox(6, label, grow, borrowWrap);
        if (d.test()) {
            Label badge = new Label(Text.tr("peer.test.source"));
            badge.getStyleClass().add("badge");
            badge.setMinWidth(Region.USE_PREF_SIZE);
            row.getChildren().add(1, badge);
        }
        row.setAlignment(Pos.CENTER_LEFT);
        row.getStyleClass().add("row");
        drag.source(label, () -> DragItem.ofPeer(p.uuid(), d.id(), d.name()));
        return row;
    }

    private void borrowAsWebcam(Snapshot.Peer p, Snapshot.Device d) {
        model.borrowAsVirtualWebcam(p.uuid(), d.id());
    }

    private void borrowAndRecord(Snapshot.Peer p, Snapshot.Device d) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(Text.tr("peer.record.title", d.name()));
        Path folder = org.hopwire.app.core.Recordings.folder();
        try {
            chooser.setInitialDirectory(org.hopwire.app.core.Recordings.prepare(folder).toFile());
        } catch (java.io.IOException e) {
            // The chooser opens where it likes; the person picks a folder.
        }
        chooser.setInitialFileName(org.hopwire.app.core.Recordings.fileName(d.name(), LocalDateTime.now()));
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(Text.tr("peer.record.filter"), "*.mkv"));
        java.io.File file = chooser.showSaveDialog(getScene() == null ? null : getScene().getWindow());
        if (file != null) {
            Path path = file.toPath();
            model.borrow(p.uuid(), d.id(), Outputs.PREVIEW.withRecording(path), "");
        }
    }

    /** Forgetting ends the trust: asked first (Cancel the default), in a dialog that does not block the window. */
    private void confirmForget(java.util.UUID peer) {
        org.hopwire.app.ui.questions.ConfirmForget.ask(getScene() == null ? null : getScene().getWindow(),
                shown == null ? Text.tr("peer.this.peer") : shown.name(), () -> model.forget(peer));
    }

    /** Unregisters the card as a drop target (it is leaving the window). */
    public void dispose() {
        drag.forget(this);
    }
}
