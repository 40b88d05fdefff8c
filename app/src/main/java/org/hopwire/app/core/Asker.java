package org.hopwire.app.core;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

import org.hopwire.engine.session.SessionHandler;

/**
 * The questions only a person can answer. The window answers with dialogs, the demo peer and tests by rule. Answers
 * may complete on any thread, the UI thread included: the hub moves the work they start onto its own.
 */
public interface Asker {
    /** Both hosts show {@code code}: true when the person confirms it matches the one on the other screen. */
    CompletionStage<Boolean> confirmPairing(String peerName, UUID peer, String code);

    /** "{@code peerName} wants to use {@code deviceName}": allow once, always, or deny. */
    CompletionStage<SessionHandler.Consent> askConsent(String peerName, UUID peer, String deviceName);

    /**
     * As above, also given the device's id ({@code test:camera}, {@code video:/dev/video0}): the service's policy
     * names devices by id, since two cameras can share a name. The hub calls this one; by default it asks the
     * question above.
     */
    default CompletionStage<SessionHandler.Consent> askConsent(String peerName, UUID peer, String deviceId,
                                                              String deviceName) {
        return askConsent(peerName, peer, deviceName);
    }

    /**
     * As {@link #askConsent(String, UUID, String, String)}, and whether the peer may also adjust the device's controls
     * (the dialog's "Let the peer adjust the device", ticked unless the person unticks it). By default the controls
     * are allowed with the consent: then "always" lets the peer adjust at once and "once" asks at its first change.
     */
    default CompletionStage<SessionHandler.ConsentAnswer> askConsentWithControls(String peerName, UUID peer,
                                                                             String deviceId, String deviceName) {
        return askConsent(peerName, peer, deviceId, deviceName)
                .thenApply(c -> new SessionHandler.ConsentAnswer(c, true));
    }

    /**
     * "{@code peerName} wants to adjust {@code deviceName}": asked at the first change of a borrow allowed once; the
     * answer holds for that borrow. By default nobody is asked and the answer is no.
     */
    default CompletionStage<Boolean> askControl(String peerName, UUID peer, String deviceId, String deviceName) {
        return java.util.concurrent.CompletableFuture.completedFuture(false);
    }

    /** "{@code peerName} offers you {@code deviceName}": true to borrow it. */
    CompletionStage<Boolean> acceptOffer(String peerName, UUID peer, String deviceName);

    /** The session with {@code peer} ended: questions about it no longer need an answer. */
    default void withdraw(UUID peer) {
    }
}
