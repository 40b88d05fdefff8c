package org.hopwire.gst.media;

import java.util.concurrent.CompletionStage;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerInfo;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionEnd;
import org.hopwire.engine.session.SessionHandler;

/**
 * A session handler that lends and plays media through GStreamer and asks the app everything else (pairing codes,
 * consent, offers) and tells it everything else (catalogs, state, errors).
 */
public final class MediaSessionHandler implements SessionHandler {
    private final SessionHandler app;
    private final GstLender lender;
    private final GstBorrower borrower;

    public MediaSessionHandler(SessionHandler app, GstLender lender, GstBorrower borrower) {
        this.app = app;
        this.lender = lender;
        this.borrower = borrower;
    }

    /** Connects the lender and borrower to the session this handler serves. */
    public void attach(PeerSession session) {
        lender.attach(session);
        borrower.attach(session);
    }

    public GstLender lender() {
        return lender;
    }

    public GstBorrower borrower() {
        return borrower;
    }

    @Override
    public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
        return app.confirmPairing(peer, code);
    }

    @Override
    public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
        return app.askConsent(peer, deviceId);
    }

    @Override
    public CompletionStage<Boolean> acceptOffer(PeerInfo peer, String deviceId) {
        return app.acceptOffer(peer, deviceId);
    }

    @Override
    public void onOfferDeclined(String deviceId) {
        app.onOfferDeclined(deviceId);
    }

    @Override
    public String prepareLend(String deviceId, String preferredCaps) throws LendRefused {
        return lender.prepareLend(deviceId, preferredCaps);
    }

    @Override
    public void onLendStarted(int channel, String deviceId) {
        lender.onLendStarted(channel, deviceId);
        app.onLendStarted(channel, deviceId);
    }

    @Override
    public void onLendEnded(int channel, int reason) {
        lender.onLendEnded(channel, reason);
        app.onLendEnded(channel, reason);
    }

    @Override
    public void onBorrowStarted(Borrow borrow) {
        borrower.onBorrowStarted(borrow);
        app.onBorrowStarted(borrow);
    }

    @Override
    public void onCapsChanged(Borrow borrow) {
        borrower.onCapsChanged(borrow);
        app.onCapsChanged(borrow);
    }

    @Override
    public void onPauseRequested(int channel, boolean paused) {
        app.onPauseRequested(channel, paused);
    }

    @Override
    public void onKeyFrameRequested(int channel) {
        lender.onKeyFrameRequested(channel);
        app.onKeyFrameRequested(channel);
    }

    @Override
    public void onFrame(MediaFrame frame) {
        borrower.onFrame(frame);
    }

    @Override
    public void onFrameSent(MediaFrame frame) {
        lender.onFrameSent(frame);
    }

    @Override
    public void onBorrowEnded(int channel, int reason) {
        borrower.onBorrowEnded(channel, reason);
        app.onBorrowEnded(channel, reason);
    }

    @Override
    public void onPeerStats(ControlMessage.Stats stats) {
        app.onPeerStats(stats);
    }

    @Override
    public void onCatalog(ControlMessage.Catalog catalog) {
        app.onCatalog(catalog);
    }

    @Override
    public void onPeerError(ProtocolError error, String text) {
        app.onPeerError(error, text);
    }

    @Override
    public void onStateChanged(PeerSession.State state) {
        app.onStateChanged(state);
    }

    @Override
    public void onClosed(SessionEnd end) {
        lender.close();
        borrower.close();
        app.onClosed(end);
    }
}
