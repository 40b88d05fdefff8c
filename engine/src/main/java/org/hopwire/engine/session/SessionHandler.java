package org.hopwire.engine.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;

/**
 * What a session asks of the app (the GUI, the CLI, a test) and tells it. Questions return stages so the app can
 * ask its person without blocking the session; by default every question is answered "no".
 *
 * <p>Calls come from the session's threads; they must return quickly.
 */
public interface SessionHandler {
    /**
     * Both hosts show this code; answer true when the person confirms it matches the peer's. The answer may come on
     * any thread, at any time; a session that ended meanwhile ignores it.
     */
    default CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
        return CompletableFuture.completedFuture(false);
    }

    /** The peer asks to borrow a device of ours: allow once, always, or deny. */
    default CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
        return CompletableFuture.completedFuture(Consent.DENY);
    }

    /**
     * The peer asks to borrow a device of ours: the answer, and whether the borrower may also adjust the device's
     * controls (the consent dialog's "Let the peer adjust the device"). By default {@link #askConsent} decides, and
     * controls are allowed as docs/protocol.md, 7.1, says: at once for "always", after a question for "once".
     */
    default CompletionStage<ConsentAnswer> askConsentWithControls(PeerInfo peer, String deviceId) {
        return askConsent(peer, deviceId).thenApply(c -> new ConsentAnswer(c, true));
    }

    /**
     * A borrower that was lent a device "once" tries to change one of its controls for the first time: true lets it,
     * for the rest of this borrow. By default nobody is there to ask, and the answer is no.
     */
    default CompletionStage<Boolean> askControl(PeerInfo peer, String deviceId) {
        return CompletableFuture.completedFuture(false);
    }

    /**
     * Sets a control of a lent device and returns the value the device took. Called on the session's ticker thread,
     * at most once per control every 20 ms per channel; must return quickly.
     *
     * @param value already clamped to the control's range and step
     * @throws ControlFailed when the device refused the change
     */
    default long applyControl(int channel, String deviceId, ControlMessage.Control control, long value)
            throws ControlFailed {
        throw new ControlFailed("this host cannot change its devices' controls");
    }

    /** The values of a device's controls now, by name, where they differ from what the catalog says. */
    default java.util.Map<String, Long> controlValues(String deviceId) {
        return java.util.Map.of();
    }

    /** A control of a borrowed channel is set to {@code state.value()} now (confirmed, refused or the owner's). */
    default void onControlState(ControlMessage.ControlState state) {
    }

    /** Whether this host may change a borrowed channel's controls, and why not. */
    default void onControlAccess(ControlMessage.ControlAccess access) {
    }

    /** The peer offers us one of its devices: true to borrow it. */
    default CompletionStage<Boolean> acceptOffer(PeerInfo peer, String deviceId) {
        return CompletableFuture.completedFuture(false);
    }

    /** The peer's person declined a device this host offered ({@link PeerSession#offer}). */
    default void onOfferDeclined(String deviceId) {
    }

    /**
     * Consent was given: prepare to lend the device and return the caps it will be sent as.
     *
     * @throws LendRefused when the device cannot be lent now (busy, gone, format not possible)
     */
    default String prepareLend(String deviceId, String preferredCaps) throws LendRefused {
        throw new LendRefused(ProtocolError.DEVICE_GONE, "this host lends nothing");
    }

    /**
     * 3.2: consent was given to lend a device of pictures and sound together (a capture card,
     * {@link ControlMessage.Device#AUDIO_VIDEO}): prepare both halves, from one capture on one clock, and return the
     * caps each will be sent as. By default such a device cannot be lent.
     *
     * @throws LendRefused when the device cannot be lent now (busy, gone, format not possible)
     */
    default GroupCaps prepareGroupLend(String deviceId, String preferredCaps) throws LendRefused {
        throw new LendRefused(ProtocolError.FORMAT_NOT_POSSIBLE, "this host cannot lend pictures and sound together");
    }

    /**
     * 3.2: both halves of a two-channel lend may now be sent, together (the borrower set both up). By default each
     * half is told as a lend of its own.
     */
    default void onGroupLendStarted(int videoChannel, int audioChannel, String deviceId) {
        onLendStarted(videoChannel, deviceId);
        onLendStarted(audioChannel, deviceId);
    }

    /** The caps of a two-channel lend's halves: its pictures' and its sound's. */
    record GroupCaps(String video, String audio) {
    }

    /** Frames for {@code channel} may now be sent with {@link PeerSession#send}. */
    default void onLendStarted(int channel, String deviceId) {
    }

    /** A lend ended (returned, revoked, or the session ended): stop sending. */
    default void onLendEnded(int channel, int reason) {
    }

    /** Frames of a borrowed device start to arrive on {@code borrow.channel()}. */
    default void onBorrowStarted(Borrow borrow) {
    }

    /** The owner changed a borrowed channel's media type mid-stream; frames after this follow the new caps. */
    default void onCapsChanged(Borrow borrow) {
    }

    /** The borrower paused or resumed a lent channel; frames sent while paused are not sent. */
    default void onPauseRequested(int channel, boolean paused) {
    }

    /** The borrower needs a key frame on a lent channel (it joined late or lost frames). */
    default void onKeyFrameRequested(int channel) {
    }

    /**
     * The borrower asks for another format on a lent channel ({@code preferredCaps}, already checked to be well
     * formed; "" for this host's own choice). Change it, off the session's thread, and answer with {@link
     * PeerSession#renegotiate} before the new frames; the stage completes when done, or fails with a {@link
     * LendRefused} whose error and words the borrower hears (the channel goes on as it was). By default no change is
     * possible.
     */
    default CompletionStage<Void> onFormatRequested(int channel, String preferredCaps) {
        return CompletableFuture.failedFuture(new LendRefused(ProtocolError.FORMAT_NOT_POSSIBLE,
                "this host cannot change the format of a lent device"));
    }

    /**
     * A frame of a borrowed device arrived. The frame's buffer is the app's now; {@link PeerSession#recycle} gives it
     * back when done, which spares an allocation per frame. Called on the channel's own delivery thread, in order: a
     * slow consumer delays only its own channel, whose bounded queue then drops (video its oldest non-key frames).
     */
    default void onFrame(MediaFrame frame) {
    }

    /**
     * A frame given to {@link PeerSession#send} (which returned true) is done with: copied out to the data stream,
     * dropped by flow control, or discarded when its channel closed. Its buffer may be reused from now on. Called on
     * the session's writer thread or the sender's; must return quickly.
     */
    default void onFrameSent(MediaFrame frame) {
    }

    /** A borrow ended: the owner revoked it, the device went, or it was returned. */
    default void onBorrowEnded(int channel, int reason) {
    }

    /** The owner's counters for a channel this host borrows, once a second: its drops show here. */
    default void onPeerStats(ControlMessage.Stats stats) {
    }

    /** The peer's catalog arrived or changed. */
    default void onCatalog(ControlMessage.Catalog catalog) {
    }

    /** The peer reported an error that did not end the session. */
    default void onPeerError(ProtocolError error, String text) {
    }

    default void onStateChanged(PeerSession.State state) {
    }

    default void onClosed(SessionEnd end) {
    }

    /** The owner's answer to a borrow request. */
    enum Consent {
        ALLOW_ONCE, ALLOW_ALWAYS, DENY
    }

    /** A consent answer with the controls permission that goes with it. */
    record ConsentAnswer(Consent consent, boolean controls) {
    }

    /** A device that refused a control change, with the words for the borrower. */
    final class ControlFailed extends Exception {
        private static final long serialVersionUID = 1L;

        public ControlFailed(String message) {
            super(message);
        }
    }

    /** A device that cannot be lent now, with the protocol error to report. */
    final class LendRefused extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ProtocolError error;

        public LendRefused(ProtocolError error, String message) {
            super(message);
            this.error = error;
        }

        public ProtocolError error() {
            return error;
        }
    }
}
