package org.hopwire.engine.session;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;

/**
 * A handler that passes every question and event on to another; a layer between the session and the app (the
 * link's bookkeeping, media) overrides only what it adds. Every {@link SessionHandler} method is forwarded here, so
 * a callback added to the interface cannot be dropped silently by one of those layers (a test checks it).
 */
public class ForwardingSessionHandler implements SessionHandler {
    private final SessionHandler next;

    protected ForwardingSessionHandler(SessionHandler next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    /** The handler everything is passed on to. */
    protected final SessionHandler next() {
        return next;
    }

    @Override
    public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
        return next.confirmPairing(peer, code);
    }

    @Override
    public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
        return next.askConsent(peer, deviceId);
    }

    @Override
    public CompletionStage<ConsentAnswer> askConsentWithControls(PeerInfo peer, String deviceId) {
        return next.askConsentWithControls(peer, deviceId);
    }

    @Override
    public CompletionStage<Boolean> askControl(PeerInfo peer, String deviceId) {
        return next.askControl(peer, deviceId);
    }

    @Override
    public long applyControl(int channel, String deviceId, ControlMessage.Control control, long value)
            throws ControlFailed {
        return next.applyControl(channel, deviceId, control, value);
    }

    @Override
    public java.util.Map<String, Long> controlValues(String deviceId) {
        return next.controlValues(deviceId);
    }

    @Override
    public void onControlState(ControlMessage.ControlState state) {
        next.onControlState(state);
    }

    @Override
    public void onControlAccess(ControlMessage.ControlAccess access) {
        next.onControlAccess(access);
    }

    @Override
    public CompletionStage<Boolean> acceptOffer(PeerInfo peer, String deviceId) {
        return next.acceptOffer(peer, deviceId);
    }

    @Override
    public void onOfferDeclined(String deviceId) {
        next.onOfferDeclined(deviceId);
    }

    @Override
    public String prepareLend(String deviceId, String preferredCaps) throws LendRefused {
        return next.prepareLend(deviceId, preferredCaps);
    }

    @Override
    public GroupCaps prepareGroupLend(String deviceId, String preferredCaps) throws LendRefused {
        return next.prepareGroupLend(deviceId, preferredCaps);
    }

    @Override
    public void onGroupLendStarted(int videoChannel, int audioChannel, String deviceId) {
        next.onGroupLendStarted(videoChannel, audioChannel, deviceId);
    }

    @Override
    public void onLendStarted(int channel, String deviceId) {
        next.onLendStarted(channel, deviceId);
    }

    @Override
    public void onLendEnded(int channel, int reason) {
        next.onLendEnded(channel, reason);
    }

    @Override
    public void onBorrowStarted(Borrow borrow) {
        next.onBorrowStarted(borrow);
    }

    @Override
    public void onCapsChanged(Borrow borrow) {
        next.onCapsChanged(borrow);
    }

    @Override
    public void onPauseRequested(int channel, boolean paused) {
        next.onPauseRequested(channel, paused);
    }

    @Override
    public void onKeyFrameRequested(int channel) {
        next.onKeyFrameRequested(channel);
    }

    @Override
    public CompletionStage<Void> onFormatRequested(int channel, String preferredCaps) {
        return next.onFormatRequested(channel, preferredCaps);
    }

    @Override
    public void onFrame(MediaFrame frame) {
        next.onFrame(frame);
    }

    @Override
    public void onFrameSent(MediaFrame frame) {
        next.onFrameSent(frame);
    }

    @Override
    public void onBorrowEnded(int channel, int reason) {
        next.onBorrowEnded(channel, reason);
    }

    @Override
    public void onPeerStats(ControlMessage.Stats stats) {
        next.onPeerStats(stats);
    }

    @Override
    public void onCatalog(ControlMessage.Catalog catalog) {
        next.onCatalog(catalog);
    }

    @Override
    public void onPeerError(ProtocolError error, String text) {
        next.onPeerError(error, text);
    }

    @Override
    public void onStateChanged(PeerSession.State state) {
        next.onStateChanged(state);
    }

    @Override
    public void onClosed(SessionEnd end) {
        next.onClosed(end);
    }
}
