package org.hopwire.app.ui.peers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.Icons;
import org.hopwire.app.ui.dnd.DragSupport;
import org.hopwire.app.ui.model.MainViewModel;

/**
 * The hosts on the cable, a card each, kept in step with the snapshots (cards are updated, not rebuilt). The cards
 * share the pane's width: one column when it is narrow, as many columns of at least {@link #CARD_MIN_WIDTH} as fit
 * when it is wide, each card as wide as its column.
 */
public final class PeersPane extends VBox {
    /** Narrower than this a card's buttons no longer fit on one line. */
    static final double CARD_MIN_WIDTH = 380;
    private static final double GAP = 12;
    private final MainViewModel model;
    private final DragSupport drag;
    private final FlowPane cards = new FlowPane(GAP, GAP);
    private final Label empty = new Label(Text.tr("peers.empty"));
    private final Map<UUID, PeerCard> byUuid = new LinkedHashMap<>();

    public PeersPane(MainViewModel model, DragSupport drag) {
        this.model = model;
        this.drag = drag;
        setId("peers");
        setSpacing(8);
        setPadding(new Insets(12));
        Label title = new Label(Text.tr("peers.title"), Icons.icon(Icons.CABLE));
        title.getStyleClass().add("pane-title");
        empty.setWrapText(true);
        empty.getStyleClass().add("hint");
        cards.widthProperty().addListener((o, was, now) -> sizeCards());
        getChildren().addAll(title, cards);
        model.snapshotProperty().addListener((o, was, now) -> update(now));
        update(model.snapshot());
    }

    /** How many cards go side by side in {@code width}, and how wide each is. */
    static double cardWidth(double width, int cardCount) {
        if (width <= 0) {
            return CARD_MIN_WIDTH;
        }
        int columns = (int) Math.max(1, Math.floor((width + GAP) / (CARD_MIN_WIDTH + GAP)));
        columns = Math.max(1, Math.min(columns, Math.max(1, cardCount)));
        // Floor to a whole pixel: a fraction too wide would wrap the last card of a row.
        return Math.floor((width - GAP * (columns - 1)) / columns);
    }

    private void sizeCards() {
        double w = cardWidth(cards.getWidth(), byUuid.size());
        for (Node n : cards.getChildren()) {
            if (n instanceof PeerCard card) {
                card.setPrefWidth(w);
                card.setMaxWidth(w);
            } else if (n instanceof Label l) {
                l.setPrefWidth(cards.getWidth());
            }
        }
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
        } else if (!cards.getChildren().equals(List.copyOf(byUuid.values()))) {
            cards.getChildren().setAll(byUuid.values());
        }
        sizeCards();
    }
}
