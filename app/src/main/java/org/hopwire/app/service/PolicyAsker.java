package org.hopwire.app.service;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hopwire.app.core.Asker;
import org.hopwire.app.core.Questions;
import org.hopwire.app.desktop.DesktopNotifications;
import org.hopwire.app.desktop.QuestionNotifier;
import org.hopwire.engine.session.SessionHandler.Consent;

/**
 * The service's person: asks through a desktop notification when one can be shown (and the config says to), and
 * otherwise, or when nobody answers in time, lets the config's allow list decide at once. Every decision is logged
 * with who asked (name and host UUID), for which device, and why it went that way.
 *
 * <ul>
 *   <li>Consent: allowed once when the peer's UUID and the device's id are listed; denied otherwise. An unattended
 *       allow is never "always": the file stays the only place that grants, so removing a line takes effect.</li>
 *   <li>Pairing: only a person comparing the codes can pair; without one it is refused (pair from a terminal with
 *       {@code hopwire pair}, or answer the notification).</li>
 *   <li>Controls: a borrower allowed once that wants to adjust the device is allowed when the file lists the
 *       device under the peer's {@code controls} line; refused otherwise (the desktop is asked first).</li>
 *   <li>Offers: declined unattended (a service has no screen to show a borrowed device on).</li>
 * </ul>
 */
public final class PolicyAsker implements Asker {
    private final ServeConfig config;
    private final ServeLog log;
    private final Questions questions = new Questions();
    private final Optional<QuestionNotifier> notifier;
    private final Optional<DesktopNotifications> notifications;
    /** How long a pairing waits for 'hopwire pair' from a terminal when no notification can ask; zero: not at all. */
    private volatile java.time.Duration pairingHold = java.time.Duration.ZERO;

    /**
     * @param notifications empty when the desktop is not to be asked (ask-desktop = no, or no session bus)
     */
    public PolicyAsker(ServeConfig config, ServeLog log, Optional<DesktopNotifications> notifications) {
        this.config = config;
        this.log = log;
        this.notifications = config.askDesktop() ? notifications : Optional.empty();
        this.notifier = config.askDesktop() ? notifications.map(n -> new QuestionNotifier(n,
                config.questionTimeout(), Optional.empty())) : Optional.empty();
    }

    /**
     * Lets a pairing that no notification can ask wait up to {@code hold} for a person running {@code hopwire pair}
     * in a terminal on this machine (the command socket answers it in {@link #questions()}); refused after that.
     */
    public void holdPairingFor(java.time.Duration hold) {
        this.pairingHold = hold;
    }

    /** The questions waiting for a notification's (or a terminal's) answer now. */
    public Questions questions() {
        return questions;
    }

    @Override
    public CompletionStage<Boolean> confirmPairing(String peerName, UUID peer, String code) {
        String who = who(peerName, peer);
        String nobody = "nobody is here to compare the code (pair from a terminal with 'hopwire pair " + peer
                + "', or from the window)";
        java.time.Duration hold = pairingHold;
        if (notifier.isEmpty() && hold.isZero()) {
            log.notice("pairing with " + who + " refused: " + nobody);
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> answer = questions.confirmPairing(peerName, peer, code).toCompletableFuture();
        Questions.Question q = questions.open().stream().filter(x -> x.kind() == Questions.Kind.PAIRING
                && x.peer().equals(peer) && x.subject().equals(code)).reduce((a, b) -> b).orElseThrow();
        String[] by = {notifier.isPresent() ? "by the person at the desktop or in a terminal ('hopwire pair')"
                : "in a terminal ('hopwire pair')"};
        if (!hold.isZero()) {
            log.notice("pairing with " + who + ": code " + code + "; waiting " + hold.toSeconds() + " s for 'hopwire"
                    + " pair " + peer + "' in a terminal here" + (notifier.isPresent() ? " or the desktop" : "")
                    + " to compare it");
            CompletableFuture.delayedExecutor(hold.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> {
                        if (!q.isAnswered()) {
                            by[0] = "after no answer in " + hold.toSeconds() + " s: " + nobody;
                            q.answer(Consent.DENY);
                        }
                    });
        }
        if (notifier.isPresent()) {
            // Without a notification shown, a terminal may still answer while the hold lasts.
            askDesktop(q, by, Consent.DENY, nobody, !hold.isZero());
        }
        return answer.whenComplete((ok, e) -> log.notice("pairing with " + who + " (code " + code + ") "
                + (Boolean.TRUE.equals(ok) ? "confirmed " : "refused ") + by[0]));
    }

    @Override
    public CompletionStage<Consent> askConsent(String peerName, UUID peer, String deviceName) {
        // The hub always gives the id; without one nothing can match the allow list.
        return askConsent(peerName, peer, "", deviceName);
    }

    @Override
    public CompletionStage<Consent> askConsent(String peerName, UUID peer, String deviceId, String deviceName) {
        String what = who(peerName, peer) + " asks for " + deviceName + " (" + deviceId + ")";
        Optional<Integer> line = deviceId.isEmpty() ? Optional.empty() : config.allows(peer, deviceId);
        Consent policy = line.isPresent() ? Consent.ALLOW_ONCE : Consent.DENY;
        String policyWhy = policyWhy(line, "allow", peer, deviceId);
        if (notifier.isEmpty()) {
            log.notice("consent: " + what + ": " + describe(policy) + ", " + policyWhy);
            return CompletableFuture.completedFuture(policy);
        }
        CompletableFuture<Consent> answer = questions.askConsent(peerName, peer, deviceName).toCompletableFuture();
        Questions.Question q = newestOpen(Questions.Kind.CONSENT, peer, deviceName);
        String[] by = {"by the person at the desktop"};
        askDesktop(q, by, policy, policyWhy, false);
        return answer.whenComplete((c, e) -> log.notice("consent: " + what + ": " + describe(c) + " " + by[0]));
    }

    /**
     * A borrower allowed once wants to adjust the device: the desktop is asked when it can be; otherwise, or when
     * nobody answers, the file decides ({@code controls = DEVICE-ID} under the peer's section), and without such a
     * line the answer is no.
     */
    @Override
    public CompletionStage<Boolean> askControl(String peerName, UUID peer, String deviceId, String deviceName) {
        String what = who(peerName, peer) + " wants to adjust " + deviceName + " (" + deviceId + ")";
        Optional<Integer> line = deviceId.isEmpty() ? Optional.empty() : config.allowsControls(peer, deviceId);
        Consent policy = line.isPresent() ? Consent.ALLOW_ONCE : Consent.DENY;
        String policyWhy = policyWhy(line, "controls", peer, deviceId);
        if (notifier.isEmpty()) {
            log.notice("controls: " + what + ": " + (line.isPresent() ? "allowed" : "refused") + ", " + policyWhy);
            return CompletableFuture.completedFuture(line.isPresent());
        }
        CompletableFuture<Boolean> answer = questions.askControl(peerName, peer, deviceId, deviceName)
                .toCompletableFuture();
        Questions.Question q = newestOpen(Questions.Kind.CONTROL, peer, deviceName);
        String[] by = {"by the person at the desktop"};
        askDesktop(q, by, policy, policyWhy, false);
        return answer.whenComplete((yes, e) -> log.notice("controls: " + what + ": "
                + (Boolean.TRUE.equals(yes) ? "allowed " : "refused ") + by[0]));
    }

    /** Why the config file's answer is what it is: the line that allows it, or the line to add. */
    private String policyWhy(Optional<Integer> line, String key, UUID peer, String deviceId) {
        return line.map(n -> "listed in " + config.source() + " line " + n)
                .orElse("not listed in " + config.source() + " (to allow it unattended, add '" + key + " = "
                        + deviceId + "' under [peer " + peer + "])");
    }

    /** The question just asked of this kind about the peer's device (the newest open one). */
    private Questions.Question newestOpen(Questions.Kind kind, UUID peer, String deviceName) {
        return questions.open().stream().filter(x -> x.kind() == kind && x.peer().equals(peer)
                && x.subject().equals(deviceName)).reduce((a, b) -> b).orElseThrow();
    }

    @Override
    public CompletionStage<Boolean> acceptOffer(String peerName, UUID peer, String deviceName) {
        log.notice("offer: " + who(peerName, peer) + " offers " + deviceName + ": declined (the service has no"
                + " screen to show it on; borrow with 'hopwire borrow' instead)");
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public void withdraw(UUID peer) {
        questions.withdraw(peer);
    }

    /**
     * Shows the question as a notification. When it cannot be shown, or its time runs out, the policy's answer
     * ({@code fallback}) is given; a dismissed notification is the person declining, so it denies.
     *
     * @param by set to how the answer was reached, for the log line
     */
    private void askDesktop(Questions.Question q, String[] by, Consent fallback, String fallbackWhy,
                            boolean othersMayAnswer) {
        notifier.orElseThrow().notify(q, (question, why) -> {
            if (why == DesktopNotifications.Closed.DISMISSED) {
                by[0] = "by the person at the desktop (dismissed the notification)";
                question.answer(Consent.DENY);
            } else {
                by[0] = (why == DesktopNotifications.Closed.EXPIRED ? "after no answer in "
                        + config.questionTimeout().toSeconds() + " s" : "after the notification went away")
                        + ": " + fallbackWhy;
                question.answer(fallback);
            }
        }).whenComplete((shown, e) -> {
            if (!Boolean.TRUE.equals(shown) && !q.isAnswered() && !othersMayAnswer) {
                by[0] = "without asking (" + notifications.map(DesktopNotifications::status).orElse("")
                        + "): " + fallbackWhy;
                q.answer(fallback);
            }
        });
    }

    private static String who(String peerName, UUID peer) {
        return "'" + peerName + "' (" + peer + ")";
    }

    private static String describe(Consent c) {
        if (c == null) {
            return "denied";
        }
        return switch (c) {
            case ALLOW_ONCE -> "allowed once";
            case ALLOW_ALWAYS -> "allowed always";
            case DENY -> "denied";
        };
    }
}
