package org.hopwire.app.ui.background;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.stage.Window;

import org.hopwire.app.core.Snapshot;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.questions.OwnedDialog;

/**
 * "Keep lending Test camera to beta after the window closes?": asked when the window is closed while something is
 * lent or borrowed. Keep running in background hides the window and keeps the sessions; Quit ends them; Cancel
 * leaves the window open. The dialog is not waited on: the answer arrives through a callback.
 */
public final class BackgroundDialog {
    /** What the person chose. */
    public enum Choice { KEEP_RUNNING, QUIT, CANCEL }

    static final ButtonType KEEP = new ButtonType(Text.tr("background.keep"), ButtonBar.ButtonData.OK_DONE);
    // Quit ends what is lent and borrowed: on the left, away from the default, never chosen by Enter.
    static final ButtonType QUIT = new ButtonType(Text.tr("background.quit"), ButtonBar.ButtonData.OTHER);

    private BackgroundDialog() {
    }

    /** Whether closing the window now needs the question: something is lent or borrowed. */
    public static boolean needed(Snapshot s) {
        return !s.lends().isEmpty() || !s.borrows().isEmpty();
    }

    /** The question in a person's words, naming the devices and peers. */
    public static String question(Snapshot s) {
        return Text.tr("background.question", what(s));
    }

    /** What goes on in the background, for the notification shown while the window is hidden. */
    public static String running(Snapshot s) {
        return Text.tr("background.running", what(s));
    }

    /** "lending Test camera to beta and borrowing ...", or counts when there are more than three. */
    private static String what(Snapshot s) {
        List<String> parts = new ArrayList<>();
        s.lends().forEach(l -> parts.add(Text.tr("background.lending", l.deviceName(), l.peerName())));
        s.borrows().forEach(b -> parts.add(Text.tr("background.borrowing", b.deviceName(), b.peerName())));
        if (parts.size() > 3) {
            parts.clear();
            if (!s.lends().isEmpty()) {
                parts.add(Text.tr("background.lending.count", s.lends().size()));
            }
            if (!s.borrows().isEmpty()) {
                parts.add(Text.tr("background.borrowing.count", s.borrows().size()));
            }
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return Text.tr("background.and", String.join(Text.tr("background.comma"), parts.subList(0,
                parts.size() - 1)), parts.get(parts.size() - 1));
    }

    /** Shows the question over {@code owner}; {@code then} gets the answer on the JavaFX thread. */
    public static Dialog<ButtonType> ask(Window owner, Snapshot s, Consumer<Choice> then) {
        Dialog<ButtonType> d = new Dialog<>();
        OwnedDialog.prepare(d, owner);
        d.setTitle(Text.tr("background.title"));
        d.setHeaderText(question(s));
        Label text = new Label(Text.tr("background.text"));
        text.setWrapText(true);
        text.setPrefWidth(440);
        text.setId("close-question-text");
        d.getDialogPane().setContent(text);
        d.getDialogPane().setId("close-question");
        d.getDialogPane().getButtonTypes().setAll(QUIT, ButtonType.CANCEL, KEEP);
        Button keep = (Button) d.getDialogPane().lookupButton(KEEP);
        keep.setDefaultButton(true);
        ((Button) d.getDialogPane().lookupButton(QUIT)).setDefaultButton(false);
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
