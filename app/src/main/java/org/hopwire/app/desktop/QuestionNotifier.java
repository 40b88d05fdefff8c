package org.hopwire.app.desktop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

import org.hopwire.app.core.Questions;
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
                "Open Hopwire")));
        switch (kind) {
            case PAIRING -> {
                a.add(new DesktopNotifications.Action(CONFIRM, "Confirm"));
                a.add(new DesktopNotifications.Action(REJECT, "Reject"));
            }
            case CONSENT -> {
                a.add(new DesktopNotifications.Action(ALLOW_ONCE, "Allow once"));
                a.add(new DesktopNotifications.Action(ALWAYS, "Always"));
                a.add(new DesktopNotifications.Action(DENY, "Deny"));
            }
            case OFFER -> {
                a.add(new DesktopNotifications.Action(BORROW, "Borrow"));
                a.add(new DesktopNotifications.Action(DECLINE, "Decline"));
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
            case PAIRING -> "Pair with " + q.peerName() + "? Code " + q.subject();
            case CONSENT, OFFER -> q.text();
        };
    }

    /** The notification's text. */
    public static String body(Questions.Question q) {
        String who = q.peerName() + " (" + q.peer().toString().substring(0, 8) + ")";
        return switch (q.kind()) {
            case PAIRING -> "Confirm only if " + who + " shows the same code: " + q.subject()
                    + ". Reject if it does not: someone else may be on the cable.";
            case CONSENT -> who + " asks to borrow " + q.subject() + ". Allow once lends it until it is returned;"
                    + " Always lets " + q.peerName() + " borrow it from now on without asking.";
            case OFFER -> who + " offers you " + q.subject() + ". Borrow it to see it in Hopwire.";
        };
    }
}
