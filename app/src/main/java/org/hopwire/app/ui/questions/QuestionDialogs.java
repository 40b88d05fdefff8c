package org.hopwire.app.ui.questions;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Window;

import org.hopwire.app.core.Questions;
import org.hopwire.app.ui.Icons;
import org.hopwire.engine.session.SessionHandler.Consent;

/**
 * Turns each question for this host's person into a dialog: pairing (the code, Confirm or Reject), consent
 * ("peer wants to use device": Allow once, Always, Deny) and offers (Borrow or Decline). Dialogs are not modal and
 * never waited on, so the window goes on; a question withdrawn (its session ended) closes its dialog.
 */
public final class QuestionDialogs {
    static final ButtonType CONFIRM = new ButtonType("Confirm", ButtonBar.ButtonData.YES);
    static final ButtonType REJECT = new ButtonType("Reject", ButtonBar.ButtonData.CANCEL_CLOSE);
    static final ButtonType ALLOW_ONCE = new ButtonType("Allow once", ButtonBar.ButtonData.YES);
    static final ButtonType ALWAYS = new ButtonType("Always", ButtonBar.ButtonData.OTHER);
    static final ButtonType DENY = new ButtonType("Deny", ButtonBar.ButtonData.CANCEL_CLOSE);
    static final ButtonType BORROW = new ButtonType("Borrow", ButtonBar.ButtonData.YES);
    static final ButtonType DECLINE = new ButtonType("Decline", ButtonBar.ButtonData.CANCEL_CLOSE);

    private final Window owner;
    private final Executor uiThread;
    private final Map<Questions.Question, Dialog<ButtonType>> open = new ConcurrentHashMap<>();

    public QuestionDialogs(Questions questions, Window owner, Executor uiThread) {
        this.owner = owner;
        this.uiThread = uiThread;
        questions.onQuestion(q -> uiThread.execute(() -> show(q)));
        questions.open().forEach(q -> uiThread.execute(() -> show(q)));
    }

    private void show(Questions.Question q) {
        if (q.isAnswered() || open.containsKey(q)) {
            return;
        }
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.initModality(Modality.NONE);
        Label text = new Label(q.text());
        text.setId("question-text");
        text.setWrapText(true);
        VBox content = new VBox(10, text);
        content.setPrefWidth(420);
        switch (q.kind()) {
            case PAIRING -> {
                d.setTitle("Pair with " + q.peerName());
                d.setHeaderText("Do both screens show this code?");
                d.setGraphic(Icons.icon(Icons.PAIRING));
                Label code = new Label(q.subject());
                code.setId("question-code");
                code.getStyleClass().add("pairing-code-large");
                text.setText("Pair with " + q.peerName() + " (" + q.peer().toString().substring(0, 8) + ")? Confirm"
                        + " only if " + q.peerName() + " shows the same code. Reject if it does not: someone"
                        + " else may be on the cable.");
                content.getChildren().add(0, code);
                d.getDialogPane().getButtonTypes().setAll(CONFIRM, REJECT);
            }
            case CONSENT -> {
                d.setTitle("Lend " + q.subject() + "?");
                d.setHeaderText(q.text());
                d.setGraphic(Icons.icon(Icons.OFFER));
                text.setText("Allow once lends it until it is returned or you revoke it. Always lets "
                        + q.peerName() + " borrow it from now on without asking (forget the peer in Settings to"
                        + " undo).");
                d.getDialogPane().getButtonTypes().setAll(ALLOW_ONCE, ALWAYS, DENY);
            }
            case OFFER -> {
                d.setTitle("Borrow " + q.subject() + "?");
                d.setHeaderText(q.text());
                d.setGraphic(Icons.icon(Icons.BORROW));
                text.setText("Borrow it to see it here in a preview. You can give it back at any time.");
                d.getDialogPane().getButtonTypes().setAll(BORROW, DECLINE);
            }
        }
        d.getDialogPane().setContent(content);
        d.getDialogPane().setId("question-" + q.kind().name().toLowerCase(java.util.Locale.ROOT));
        org.hopwire.app.ui.theme.Theme.apply(d.getDialogPane());
        d.setResultConverter(b -> b);
        d.setOnHidden(e -> {
            open.remove(q);
            q.answer(answerFor(d.getResult()));
        });
        q.whenAnswered(() -> uiThread.execute(() -> {
            if (d.isShowing()) {
                d.close();
            }
        }));
        open.put(q, d);
        d.show();
    }

    /** A closed dialog (Escape, the window's close box) counts as no. */
    static Consent answerFor(ButtonType b) {
        if (b == ALLOW_ONCE || b == CONFIRM || b == BORROW) {
            return Consent.ALLOW_ONCE;
        }
        if (b == ALWAYS) {
            return Consent.ALLOW_ALWAYS;
        }
        return Consent.DENY;
    }

    /** How many question dialogs are showing. */
    public int showing() {
        return open.size();
    }
}
