package org.hopwire.app.desktop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

import org.hopwire.app.core.Questions;
import org.hopwire.app.text.Text;
import org.hopwire.engine.session.SessionHandler.Consent;

/**
 * Puts a {@link Questions.Question} into a desktop notification with the same choices as the window's dialog
 * (pairing: Confirm / Reject with the code; consent: Allow once / Always / Deny; an offer: Borrow / Decline). A
 * button answers the question; a question answered elsewhere (the window, a terminal, a withdrawal) takes its
 * notification away. Answering either place answers both, since both answer the same question object.
 */
public final class QuestionNotifier {
    /** Action keys, as the notification server sends them back. */
    static final String CONFIRM = "confirm";
    static final String REJECT = "reject";
    static final String ALLOW_ONCE = "allow-once";
    static final String ALWAYS = "always";
    static final String DENY = "deny";
    static final String BORROW = "borrow";
    static final String DECLINE = "decline";

    private final DesktopNotifications notifications;
    private final Duration timeout;
    private final Optional<Runnable> onOpen;

    /**
     * @param timeout how long a notification waits for a button
     * @param onOpen  what a click on the notification itself does (the window: show it again); empty for none
     */
    public QuestionNotifier(DesktopNotifications notifications, Duration timeout, Optional<Runnable> onOpen) {
        this.notifications = notifications;
        this.timeout = timeout;
        this.onOpen = onOpen;
    }

    /**
     * Shows {@code q}. Completes true once it is on the screen, false when it cannot be (no bus, no server, already
     * answered). {@code unanswered} hears when it went without a button (expired or dismissed), not when it was
     * answered elsewhere.
     */
    public CompletableFuture<Boolean> notify(Questions.Question q,
                                             BiConsumer<Questions.Question, DesktopNotifications.Closed> unanswered) {
        if (q.isAnswered()) {
            return CompletableFuture.completedFuture(false);
        }
        return notifications.show(summary(q), body(q), actions(q.kind()), timeout, q.kind() != Questions.Kind.OFFER,
                new DesktopNotifications.Handler() {
                    @Override
                    public void action(String key) {
                        if (key.equals(DesktopNotifications.DEFAULT_ACTION)) {
                            onOpen.ifPresent(Runnable::run);
                            return;
                        }
                        answerFor(key).ifPresent(q::answer);
                    }

                    @Override
                    public void closed(DesktopNotifications.Closed why) {
                        if (why != DesktopNotifications.Closed.WITHDRAWN && !q.isAnswered()) {
                            unanswered.accept(q, why);
                        }
                    }
                }).thenApply(shown -> {
                    shown.ifPresent(n -> q.whenAnswered(n::withdraw));
                    return shown.isPresent();
                });
    }

    /** The buttons for a kind of question, in the window's order. */
    public List<DesktopNotifications.Action> actions(Questions.Kind kind) {
        List<DesktopNotifications.Action> a = new ArrayList<>();
        onOpen.ifPresent(r -> a.add(new DesktopNotifications.Action(DesktopNotifications.DEFAULT_ACTION,
                Text.tr("notification.open"))));
        switch (kind) {
            case PAIRING -> {
                a.add(new DesktopNotifications.Action(CONFIRM, Text.tr("notification.confirm")));
                a.add(new DesktopNotifications.Action(REJECT, Text.tr("notification.reject")));
            }
            case CONSENT -> {
                a.add(new DesktopNotifications.Action(ALLOW_ONCE, Text.tr("notification.allow.once")));
                a.add(new DesktopNotifications.Action(ALWAYS, Text.tr("notification.always")));
                a.add(new DesktopNotifications.Action(DENY, Text.tr("notification.deny")));
            }
            case OFFER -> {
                a.add(new DesktopNotifications.Action(BORROW, Text.tr("notification.borrow")));
                a.add(new DesktopNotifications.Action(DECLINE, Text.tr("notification.decline")));
            }
            case CONTROL -> {
                a.add(new DesktopNotifications.Action(ALLOW_ONCE, Text.tr("notification.control.allow")));
                a.add(new DesktopNotifications.Action(DENY, Text.tr("notification.deny")));
            }
        }
        return a;
    }

    /** What a button means; empty for one that answers nothing. */
    public static Optional<Consent> answerFor(String key) {
        return switch (key) {
            case CONFIRM, ALLOW_ONCE, BORROW -> Optional.of(Consent.ALLOW_ONCE);
            case ALWAYS -> Optional.of(Consent.ALLOW_ALWAYS);
            case REJECT, DENY, DECLINE -> Optional.of(Consent.DENY);
            default -> Optional.empty();
        };
    }

    /** The notification's title. */
    public static String summary(Questions.Question q) {
        return switch (q.kind()) {
            case PAIRING -> Text.tr("notification.pairing.summary", q.peerName(), q.subject());
            case CONSENT, OFFER, CONTROL -> q.text();
        };
    }

    /** The notification's text. */
    public static String body(Questions.Question q) {
        String who = Text.tr("notification.who", q.peerName(), q.peer().toString().substring(0, 8));
        return switch (q.kind()) {
            case PAIRING -> Text.tr("notification.pairing.body", who, q.subject());
            case CONSENT -> Text.tr("notification.consent.body", who, q.subject(), q.peerName());
            case OFFER -> Text.tr("notification.offer.body", who, q.subject());
            case CONTROL -> Text.tr("notification.control.body", who, q.subject());
        };
    }
}
