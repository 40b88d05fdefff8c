package org.hopwire.app.ui.questions;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import org.hopwire.app.core.Questions;
import org.hopwire.app.text.Text;
import org.hopwire.app.ui.Icons;
import org.hopwire.engine.session.SessionHandler.Consent;

/**
 * Turns each question for this host's person into a dialog: pairing (the code, Confirm or Reject), consent
 * ("peer wants to use device": Allow once, Always, Deny, and a ticked "Let peer adjust device"), a first control
 * change of a borrow allowed once (Allow or Deny) and offers (Borrow or Decline). Dialogs are not modal and
 * never waited on, so the window goes on; a question withdrawn (its session ended) closes its dialog.
 */
public final class QuestionDialogs {
    static final ButtonType CONFIRM = new ButtonType(Text.tr("question.confirm"), ButtonBar.ButtonData.YES);
    static final ButtonType REJECT = new ButtonType(Text.tr("question.reject"), ButtonBar.ButtonData.CANCEL_CLOSE);
    static final ButtonType ALLOW_ONCE = new ButtonType(Text.tr("question.allow.once"), ButtonBar.ButtonData.YES);
    static final ButtonType ALWAYS = new ButtonType(Text.tr("question.always"), ButtonBar.ButtonData.OTHER);
    static final ButtonType DENY = new ButtonType(Text.tr("question.deny"), ButtonBar.ButtonData.CANCEL_CLOSE);
    static final ButtonType ALLOW_CONTROL = new ButtonType(Text.tr("question.control.allow"),
            ButtonBar.ButtonData.YES);
    static final ButtonType BORROW = new ButtonType(Text.tr("question.borrow"), ButtonBar.ButtonData.YES);
    static final ButtonType DECLINE = new ButtonType(Text.tr("question.decline"), ButtonBar.ButtonData.CANCEL_CLOSE);

    private final Window owner;
    private final Executor uiThread;
    private final Map<Questions.Question, Dialog<ButtonType>> open = new ConcurrentHashMap<>();
    private final Runnable afterPairing;

    public QuestionDialogs(Questions questions, Window owner, Executor uiThread) {
        this(questions, owner, uiThread, () -> { });
    }

    /**
     * As above; {@code afterPairing} runs once a pairing question is answered, to put the keyboard focus somewhere
     * harmless: the card the dialog covered is rebuilt as it pairs, and the focus must not fall on its Forget button.
     */
    public QuestionDialogs(Questions questions, Window owner, Executor uiThread, Runnable afterPairing) {
        this.owner = owner;
        this.uiThread = uiThread;
        this.afterPairing = afterPairing;
        questions.onQuestion(q -> uiThread.execute(() -> show(q)));
        questions.open().forEach(q -> uiThread.execute(() -> show(q)));
    }

    private void show(Questions.Question q) {
        if (q.isAnswered() || open.containsKey(q)) {
            return;
        }
        Dialog<ButtonType> d = new Dialog<>();
        OwnedDialog.prepare(d, owner);
        CheckBox controls = null;
        Label text = new Label(q.text());
        text.setId("question-text");
        text.setWrapText(true);
        VBox content = new VBox(10, text);
        content.setPrefWidth(420);
        switch (q.kind()) {
            case PAIRING -> {
                d.setTitle(Text.tr("question.pairing.title", q.peerName()));
                d.setHeaderText(Text.tr("question.pairing.header"));
                d.setGraphic(Icons.icon(Icons.PAIRING));
                Label code = new Label(q.subject());
                code.setId("question-code");
                code.getStyleClass().add("pairing-code-large");
                text.setText(Text.tr("question.pairing.text", q.peerName(), q.peer().toString().substring(0, 8)));
                content.getChildren().add(0, code);
                d.getDialogPane().getButtonTypes().setAll(CONFIRM, REJECT);
            }
            case CONSENT -> {
                d.setTitle(Text.tr("question.consent.title", q.subject()));
                d.setHeaderText(q.text());
                d.setGraphic(Icons.icon(Icons.OFFER));
                text.setText(Text.tr("question.consent.text", q.peerName()));
                d.getDialogPane().getButtonTypes().setAll(ALLOW_ONCE, ALWAYS, DENY);
                controls = new CheckBox(Text.tr("question.consent.controls", q.peerName(), q.subject()));
                controls.setId("question-controls");
                controls.setSelected(true);
                controls.setWrapText(true);
                controls.setTooltip(new javafx.scene.control.Tooltip(Text.tr("question.consent.controls.tip",
                        q.peerName())));
                content.getChildren().add(controls);
            }
            case CONTROL -> {
                d.setTitle(Text.tr("question.control.title", q.subject()));
                d.setHeaderText(q.text());
                d.setGraphic(Icons.icon(Icons.OFFER));
                text.setText(Text.tr("question.control.text", q.peerName()));
                d.getDialogPane().getButtonTypes().setAll(ALLOW_CONTROL, DENY);
            }
            case OFFER -> {
                d.setTitle(Text.tr("question.offer.title", q.subject()));
                d.setHeaderText(q.text());
                d.setGraphic(Icons.icon(Icons.BORROW));
                text.setText(Text.tr("question.offer.text"));
                d.getDialogPane().getButtonTypes().setAll(BORROW, DECLINE);
            }
        }
        d.getDialogPane().setContent(content);
        d.getDialogPane().setId("question-" + q.kind().name().toLowerCase(java.util.Locale.ROOT));
        d.setResultConverter(b -> b);
        CheckBox controlsBox = controls;
        d.setOnHidden(e -> {
            open.remove(q);
            if (controlsBox != null) {
                q.allowControls(controlsBox.isSelected());
            }
            q.answer(answerFor(d.getResult()));
            if (q.kind() == Questions.Kind.PAIRING) {
                afterPairing.run();
            }
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
        if (b == ALLOW_ONCE || b == CONFIRM || b == BORROW || b == ALLOW_CONTROL) {
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
