package org.hopwire.app.ui.questions;

import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;

/**
 * "Forget the pairing with X?", from the peer's card and from Settings alike: forgetting ends the trust, so Cancel is
 * the default (Enter and Escape cancel, and it has the focus) and only the button named Forget forgets. The dialog
 * does not block the window.
 */
public final class ConfirmForget {
    private ConfirmForget() {
    }

    /** Asks about forgetting {@code name}; runs {@code forget} only when the person presses Forget. */
    public static void ask(Window owner, String name, Runnable forget) {
        ButtonType forgetButton = new ButtonType("Forget", ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "The next connection with " + name + " shows a new code to"
                + " compare on both hosts, and devices allowed \"always\" will be asked for again.", forgetButton,
                ButtonType.CANCEL);
        a.setHeaderText("Forget the pairing with " + name + "?");
        a.setTitle("Forget " + name);
        org.hopwire.app.ui.theme.Theme.apply(a.getDialogPane());
        if (owner != null) {
            a.initOwner(owner);
        }
        Button yes = (Button) a.getDialogPane().lookupButton(forgetButton);
        yes.setId("confirm-forget");
        yes.setDefaultButton(false);
        Button no = (Button) a.getDialogPane().lookupButton(ButtonType.CANCEL);
        no.setId("confirm-forget-cancel");
        no.setDefaultButton(true);
        a.resultProperty().addListener((o, was, answer) -> {
            if (answer == forgetButton) {
                forget.run();
            }
        });
        a.show();
        Platform.runLater(no::requestFocus);
    }
}
