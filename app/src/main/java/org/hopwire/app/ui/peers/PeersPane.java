package org.hopwire.app.ui.peers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

import org.hopwire.app.core.Snapshot;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.dnd.DragSupport;
import org.hopwire.app.ui.model.MainViewModel;

/** The hosts on the cable, a card each, kept in step with the snapshots (cards are updated, not rebuilt). */
public final class PeersPane extends VBox {
    private final MainViewModel model;
    private final DragSupport drag;
    private final FlowPane cards = new FlowPane(12, 12);
    private final Label empty = new Label("No host on the cable. Connect another Linux host with a USB4 or"
            + " Thunderbolt cable; Hopwire finds it by itself.");
    private final Map<UUID, PeerCard> byUuid = new LinkedHashMap<>();

    public PeersPane(MainViewModel model, DragSupport drag) {
        this.model = model;
        this.drag = drag;
        setId("peers");
        setSpacing(8);
        setPadding(new Insets(12));
        Label title = new Label("Peers on the cable", Icons.icon(Icons.CABLE));
        title.getStyleClass().add("pane-title");
        empty.setWrapText(true);
        empty.getStyleClass().add("hint");
        getChildren().addAll(title, cards);
        model.snapshotProperty().addListener((o, was, now) -> update(now));
        update(model.snapshot());
    }

    private void update(Snapshot s) {
        for (Snapshot.Peer p : s.peers()) {
            PeerCard card = byUuid.get(p.uuid());
            if (card == null) {
                card = new PeerCard(model, drag, p);
                byUuid.put(p.uuid(), card);
            } else {
                card.update(p);
            }
        }
        byUuid.keySet().removeIf(uuid -> {
            boolean gone = s.peer(uuid).isEmpty();
            if (gone) {
                byUuid.get(uuid).dispose();
            }
            return gone;
        });
        if (byUuid.isEmpty()) {
            cards.getChildren().setAll(empty);
        } else if (!cards.getChildren().equals(java.util.List.copyOf(byUuid.values()))) {
            cards.getChildren().setAll(byUuid.values());
        }
    }
}
