package org.hopwire.app.ui.dnd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import javafx.css.PseudoClass;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.input.MouseDragEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Pane;

import org.hopwire.app.core.Notice;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.model.DragItem;
import org.hopwire.app.ui.model.DropTarget;
import org.hopwire.app.ui.model.MainViewModel;

/**
 * Dragging devices between this host and peer cards, inside the window, with JavaFX's press-drag-release gesture
 * (it needs no platform drag and drop, so it behaves the same under X11, Wayland and the headless test platform).
 *
 * <p>While a device is dragged every drop target is marked {@code :drop-ok} or {@code :drop-bad}, a label follows
 * the pointer saying what a drop would do or why it cannot, and a drop that cannot work is explained by the view
 * model instead of doing nothing; let go anywhere else, a notice says where the device should go.
 */
public final class DragSupport {
    static final PseudoClass DROP_OK = PseudoClass.getPseudoClass("drop-ok");
    static final PseudoClass DROP_BAD = PseudoClass.getPseudoClass("drop-bad");
    static final PseudoClass DROP_HOVER = PseudoClass.getPseudoClass("drop-hover");

    private record Target(Node node, Supplier<DropTarget> target) {
    }

    private final MainViewModel model;
    private final Pane overlay;
    private final Label ghost = new Label();
    private final List<Target> targets = new ArrayList<>();
    private DragItem dragging;

    public DragSupport(MainViewModel model, Pane overlay) {
        this.model = model;
        this.overlay = overlay;
        ghost.setId("drag-ghost");
        ghost.getStyleClass().add("drag-ghost");
        ghost.setMouseTransparent(true);
        ghost.setManaged(false);
        ghost.setVisible(false);
        overlay.getChildren().add(ghost);
        overlay.setMouseTransparent(true);
    }

    /** Makes {@code node} a device a person can pick up. */
    public void source(Node node, Supplier<DragItem> item) {
        node.setOnDragDetected(e -> {
            dragging = item.get();
            node.startFullDrag();
            markTargets();
            ghost.setText(whereToDrop(dragging));
            ghost.setVisible(true);
            follow(e);
            e.consume();
        });
        node.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (dragging != null) {
                follow(e);
            }
        });
        node.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            // A drop on a target has ended the drag before this (MOUSE_DRAG_RELEASED comes first): one still going
            // was let go where nothing takes it, and a drop that does nothing must say why.
            DragItem lost = dragging;
            end();
            if (lost != null) {
                model.tell(new Notice(Notice.Level.INFO, whereToDrop(lost)));
            }
        });
    }

    /** Where a device goes, said while it is over no target and when it is let go there. */
    static String whereToDrop(DragItem item) {
        return Text.tr(item.isLocal() ? "dnd.where.local" : "dnd.where.peer", item.deviceName());
    }

    /** Makes {@code node} a place devices can be dropped. */
    public void target(Node node, Supplier<DropTarget> target) {
        Target t = new Target(node, target);
        targets.add(t);
        node.addEventHandler(MouseDragEvent.MOUSE_DRAG_ENTERED, e -> {
            if (dragging == null) {
                return;
            }
            node.pseudoClassStateChanged(DROP_HOVER, true);
            DropTarget where = target.get();
            Optional<String> why = model.whyNot(dragging, where);
            ghost.setText(why.map(w -> Text.tr("dnd.cannot", w)).orElse(model.describe(dragging, where)));
        });
        node.addEventHandler(MouseDragEvent.MOUSE_DRAG_EXITED, e -> {
            node.pseudoClassStateChanged(DROP_HOVER, false);
            if (dragging != null) {
                ghost.setText(whereToDrop(dragging)); // off the target: where it should go instead
            }
        });
        node.addEventHandler(MouseDragEvent.MOUSE_DRAG_RELEASED, e -> {
            DragItem item = dragging;
            if (item != null) {
                model.drop(item, target.get());
            }
            end();
            e.consume();
        });
    }

    /** Forgets a target whose node left the window (a peer card removed). */
    public void forget(Node node) {
        targets.removeIf(t -> t.node() == node);
    }

    private void markTargets() {
        for (Target t : targets) {
            boolean ok = model.whyNot(dragging, t.target().get()).isEmpty();
            t.node().pseudoClassStateChanged(DROP_OK, ok);
            t.node().pseudoClassStateChanged(DROP_BAD, !ok);
        }
    }

    private void follow(MouseEvent e) {
        Point2D p = overlay.sceneToLocal(e.getSceneX(), e.getSceneY());
        ghost.autosize();
        // Kept inside the window: near its right or bottom edge the label goes to the pointer's other side.
        double x = p.getX() + 14;
        double y = p.getY() + 10;
        if (x + ghost.getWidth() > overlay.getWidth()) {
            x = Math.max(0, p.getX() - 8 - ghost.getWidth());
        }
        if (y + ghost.getHeight() > overlay.getHeight()) {
            y = Math.max(0, p.getY() - 8 - ghost.getHeight());
        }
        ghost.relocate(x, y);
    }

    private void end() {
        dragging = null;
        ghost.setVisible(false);
        for (Target t : targets) {
            t.node().pseudoClassStateChanged(DROP_OK, false);
            t.node().pseudoClassStateChanged(DROP_BAD, false);
            t.node().pseudoClassStateChanged(DROP_HOVER, false);
        }
    }

    boolean isDragging() {
        return dragging != null;
    }
}
