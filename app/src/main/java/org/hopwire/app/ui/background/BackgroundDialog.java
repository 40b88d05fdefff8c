package org.hopwire.app.ui.background;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.stage.Modality;
import javafx.stage.Window;

import org.hopwire.app.core.Snapshot;

/**
 * "Keep lending Test camera to beta after the window closes?": asked when the window is closed while something is
 * lent or borrowed. Keep running in background hides the window and keeps the sessions; Quit ends them; Cancel
 * leaves the window open. The dialog is not waited on: the answer arrives through a callback.
 */
public final class BackgroundDialog {
    /** What the person chose. */
    public enum Choice { KEEP_RUNNING, QUIT, CANCEL }

    static final ButtonType KEEP = new ButtonType("Keep running in background", ButtonBar.ButtonData.OK_DONE);
    // Quit ends what is lent and borrowed: on the left, away from the default, never chosen by Enter.
    static final ButtonType QUIT = new ButtonType("Quit", ButtonBar.ButtonData.OTHER);

    private BackgroundDialog() {
    }

    /** Whether closing the window now needs the question: something is lent or borrowed. */
    public static boolean needed(Snapshot s) {
        return !s.lends().isEmpty() || !s.borrows().isEmpty();
    }

    /** The question in a person's words, naming the devices and peers. */
    public static String question(Snapshot s) {
        List<String> parts = new ArrayList<>();
        s.lends().forEach(l -> parts.add("lending " + l.deviceName() + " to " + l.peerName()));
        s.borrows().forEach(b -> parts.add("borrowing " + b.deviceName() + " from " + b.peerName()));
        String what;
        if (parts.size() <= 3) {
            what = parts.size() == 1 ? parts.get(0) : String.join(", ", parts.subList(0, parts.size() - 1))
                    + " and " + parts.get(parts.size() - 1);
        } else {
            what = (s.lends().isEmpty() ? "" : "lending " + count(s.lends().size()))
                    + (!s.lends().isEmpty() && !s.borrows().isEmpty() ? " and " : "")
                    + (s.borrows().isEmpty() ? "" : "borrowing " + count(s.borrows().size()));
        }
        return "Keep " + what + " after the window closes?";
    }

    private static String count(int n) {
        return n + (n == 1 ? " device" : " devices");
    }

    /** Shows the question over {@code owner}; {@code then} gets the answer on the JavaFX thread. */
    public static Dialog<ButtonType> ask(Window owner, Snapshot s, Consumer<Choice> then) {
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.initModality(Modality.WINDOW_MODAL);
        d.setTitle("Close Hopwire");
        d.setHeaderText(question(s));
        Label text = new Label("In the background Hopwire goes on lending and borrowing, and questions from peers"
                + " come as desktop notifications. Start Hopwire again to bring the window back. Quit ends what is"
                + " lent and borrowed now.");
        text.setWrapText(true);
        text.setPrefWidth(440);
        text.setId("close-question-text");
        d.getDialogPane().setContent(text);
        d.getDialogPane().setId("close-question");
        d.getDialogPane().getButtonTypes().setAll(QUIT, ButtonType.CANCEL, KEEP);
        Button keep = (Button) d.getDialogPane().lookupButton(KEEP);
        keep.setDefaultButton(true);
        ((Button) d.getDialogPane().lookupButton(QUIT)).setDefaultButton(false);
        org.hopwire.app.ui.theme.Theme.apply(d.getDialogPane());
        d.setResultConverter(b -> b);
        d.setOnHidden(e -> then.accept(choiceFor(d.getResult())));
        d.show();
        return d;
    }

    /** The window's close box or Escape on the dialog is Cancel. */
    static Choice choiceFor(ButtonType b) {
        if (b == KEEP) {
            return Choice.KEEP_RUNNING;
        }
        if (b == QUIT) {
            return Choice.QUIT;
        }
        return Choice.CANCEL;
    }
}
