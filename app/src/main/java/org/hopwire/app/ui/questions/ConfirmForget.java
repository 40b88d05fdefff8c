package org.hopwire.app.ui.questions;

import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;

import org.hopwire.app.text.Text;

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
        ButtonType forgetButton = new ButtonType(Text.tr("dialog.forget.button"), ButtonBar.ButtonData.OK_DONE);
        ButtonType cancel = new ButtonType(Text.tr("dialog.cancel"), ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, Text.tr("dialog.forget.text", name), forgetButton, cancel);
        a.setHeaderText(Text.tr("dialog.forget.header", name));
        a.setTitle(Text.tr("dialog.forget.title", name));
        OwnedDialog.prepare(a, owner);
        Button yes = (Button) a.getDialogPane().lookupButton(forgetButton);
        yes.setId("confirm-forget");
        yes.setDefaultButton(false);
        Button no = (Button) a.getDialogPane().lookupButton(cancel);
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
