package org.hopwire.app.core;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.hopwire.app.text.Text;
import org.hopwire.engine.session.SessionHandler;

/**
 * The questions waiting for this host's person, as plain objects: the window turns each into a dialog, a test or a
 * headless host answers them directly. Unanswered questions stay until answered or withdrawn (the session that
 * asked ended).
 */
public final class Questions implements Asker {
    /** What is asked. */
    public enum Kind { PAIRING, CONSENT, OFFER, CONTROL }

    /** One question; answer it with {@link #answer}. */
    public static final class Question {
        private final Kind kind;
        private final String peerName;
        private final UUID peer;
        private final String subject;
        private final CompletableFuture<SessionHandler.Consent> answer = new CompletableFuture<>();
        /** For consent: whether the peer may also adjust the device (the dialog's checkbox); ticked by default. */
        private volatile boolean controls = true;

        Question(Kind kind, String peerName, UUID peer, String subject) {
            this.kind = kind;
            this.peerName = peerName;
            this.peer = peer;
            this.subject = subject;
        }

        public Kind kind() {
            return kind;
        }

        public String peerName() {
            return peerName;
        }

        public UUID peer() {
            return peer;
        }

        /** The pairing code, or the device's name. */
        public String subject() {
            return subject;
        }

        /** The sentence a person reads. */
        public String text() {
            return switch (kind) {
                case PAIRING -> Text.tr("question.pairing", peerName, peer.toString().substring(0, 8), subject);
                case CONSENT -> Text.tr("question.consent", peerName, subject);
                case OFFER -> Text.tr("question.offer", peerName, subject);
                case CONTROL -> Text.tr("question.control", peerName, subject);
            };
        }

        /** For consent, before {@link #answer}: whether the peer may adjust the device too. */
        public void allowControls(boolean allowed) {
            this.controls = allowed;
        }

        /** Whether the person let the peer adjust the device (consent questions; true unless unticked). */
        public boolean controlsAllowed() {
            return controls;
        }

        /** Answers: for pairing and offers, anything but DENY means yes. Later answers are ignored. */
        public void answer(SessionHandler.Consent consent) {
            answer.complete(consent);
        }

        /** Runs {@code then} once answered (here or by a withdrawal), on the answering thread. */
        public void whenAnswered(Runnable then) {
            answer.whenComplete((a, e) -> then.run());
        }

        public boolean isAnswered() {
            return answer.isDone();
        }

        CompletableFuture<SessionHandler.Consent> answerStage() {
            return answer;
        }
    }

    private final List<Question> open = new CopyOnWriteArrayList<>();
    private final List<Consumer<Question>> listeners = new CopyOnWriteArrayList<>();

    /** Told of each new question, on the asking session's thread. */
    public Runnable onQuestion(Consumer<Question> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The questions not answered yet, oldest first. */
    public List<Question> open() {
        return List.copyOf(open);
    }

    /** The oldest open question of a kind, if any. */
    public Optional<Question> first(Kind kind) {
        return open.stream().filter(q -> q.kind() == kind).findFirst();
    }

    /**
     * Asks, unless the same question (kind, peer, subject) is open already: then its answer is this one's too, and
     * the person sees one question, not two.
     */
    private CompletableFuture<SessionHandler.Consent> ask(Kind kind, String peerName, UUID peer, String subject) {
        Question q = question(kind, peerName, peer, subject);
        return q.answer.thenApply(a -> a);
    }

    /** The question asked, or the same one already open. */
    private synchronized Question question(Kind kind, String peerName, UUID peer, String subject) {
        for (Question same : open) {
            if (same.kind == kind && same.peer.equals(peer) && same.subject.equals(subject)
                    && !same.isAnswered()) {
                return same;
            }
        }
        Question q = new Question(kind, peerName, peer, subject);
        open.add(q);
        q.answer.whenComplete((a, e) -> open.remove(q));
        listeners.forEach(l -> l.accept(q));
        return q;
    }

    @Override
    public CompletionStage<SessionHandler.ConsentAnswer> askConsentWithControls(String peerName, UUID peer,
                                                                                String deviceId, String deviceName) {
        Question q = question(Kind.CONSENT, peerName, peer, deviceName);
        return q.answer.thenApply(a -> new SessionHandler.ConsentAnswer(a, q.controlsAllowed()));
    }

    @Override
    public CompletionStage<Boolean> askControl(String peerName, UUID peer, String deviceId, String deviceName) {
        return ask(Kind.CONTROL, peerName, peer, deviceName).thenApply(a -> a != SessionHandler.Consent.DENY);
    }

    @Override
    public CompletionStage<Boolean> confirmPairing(String peerName, UUID peer, String code) {
        return ask(Kind.PAIRING, peerName, peer, code).thenApply(a -> a != SessionHandler.Consent.DENY);
    }

    @Override
    public CompletionStage<SessionHandler.Consent> askConsent(String peerName, UUID peer, String deviceName) {
        return ask(Kind.CONSENT, peerName, peer, deviceName);
    }

    @Override
    public CompletionStage<Boolean> acceptOffer(String peerName, UUID peer, String deviceName) {
        return ask(Kind.OFFER, peerName, peer, deviceName).thenApply(a -> a != SessionHandler.Consent.DENY);
    }

    /** Withdraws every open question about a peer (its session ended): each is answered DENY. */
    @Override
    public void withdraw(UUID peer) {
        open.stream().filter(q -> q.peer().equals(peer)).forEach(q -> q.answer(SessionHandler.Consent.DENY));
    }
}
