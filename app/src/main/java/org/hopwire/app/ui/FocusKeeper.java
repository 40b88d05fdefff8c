package org.hopwire.app.ui;

import java.util.List;

import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.layout.Pane;

/**
 * Replaces a pane's rows without taking the keyboard focus away: when a control inside had the focus, the control
 * with the same id in the new rows gets it back. Rows are rebuilt when what they show changes (a borrow's format
 * arriving, a device added), and a person moving through them with Tab should not be thrown out.
 */
public final class FocusKeeper {
    private FocusKeeper() {
    }

    /** Sets {@code pane}'s children, keeping the focus on the control of the same id if one inside had it. */
    public static void setRows(Pane pane, List<? extends Node> rows) {
        String focusedId = null;
        if (pane.getScene() != null) {
            Node owner = pane.getScene().getFocusOwner();
            if (owner != null && owner.getId() != null && isInside(owner, pane)) {
                focusedId = owner.getId();
            }
        }
        pane.getChildren().setAll(rows);
        if (focusedId != null) {
            Node again = pane.lookup("#" + focusedId);
            if (again != null) {
                again.requestFocus();
            }
        }
    }

    private static boolean isInside(Node node, Parent parent) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (n == parent) {
                return true;
            }
        }
        return false;
    }
}
