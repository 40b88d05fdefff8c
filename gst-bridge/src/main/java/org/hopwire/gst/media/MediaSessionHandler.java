package org.hopwire.gst.media;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.ForwardingSessionHandler;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionEnd;
import org.hopwire.engine.session.SessionHandler;

/**
 * A session handler that lends and plays media through GStreamer and asks the app everything else (pairing codes,
 * consent, offers) and tells it everything else (catalogs, state, errors).
 */
public final class MediaSessionHandler extends ForwardingSessionHandler {
    private final GstLender lender;
    private final GstBorrower borrower;

    public MediaSessionHandler(SessionHandler app, GstLender lender, GstBorrower borrower) {
        super(app);
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
    public String prepareLend(String deviceId, String preferredCaps) throws LendRefused {
        return lender.prepareLend(deviceId, preferredCaps);
    }

    /** A capture card's two halves come from one capture, made here. */
    @Override
    public GroupCaps prepareGroupLend(String deviceId, String preferredCaps) throws LendRefused {
        return lender.prepareGroupLend(deviceId, preferredCaps);
    }

    /** Both halves of a capture card's lend start here; the app hears of each half as a lend. */
    @Override
    public void onGroupLendStarted(int videoChannel, int audioChannel, String deviceId) {
        lender.onGroupLendStarted(videoChannel, audioChannel, deviceId);
        super.onGroupLendStarted(videoChannel, audioChannel, deviceId);
    }

    /** Controls are set on the lent device's capture here; the app is not asked. */
    @Override
    public long applyControl(int channel, String deviceId, ControlMessage.Control control, long value)
            throws ControlFailed {
        return lender.applyControl(channel, deviceId, control, value);
    }

    @Override
    public java.util.Map<String, Long> controlValues(String deviceId) {
        return lender.controlValues(deviceId);
    }

    @Override
    public void onLendStarted(int channel, String deviceId) {
        lender.onLendStarted(channel, deviceId);
        super.onLendStarted(channel, deviceId);
    }

    @Override
    public void onLendEnded(int channel, int reason) {
        lender.onLendEnded(channel, reason);
        super.onLendEnded(channel, reason);
    }

    @Override
    public void onBorrowStarted(Borrow borrow) {
        borrower.onBorrowStarted(borrow);
        super.onBorrowStarted(borrow);
    }

    @Override
    public void onCapsChanged(Borrow borrow) {
        borrower.onCapsChanged(borrow);
        super.onCapsChanged(borrow);
    }

    /** A borrower's format change is the lender's to carry out; the app only hears of its CAPS. */
    @Override
    public java.util.concurrent.CompletionStage<Void> onFormatRequested(int channel, String preferredCaps) {
        return lender.onFormatRequested(channel, preferredCaps);
    }

    @Override
    public void onKeyFrameRequested(int channel) {
        lender.onKeyFrameRequested(channel);
        super.onKeyFrameRequested(channel);
    }

    /** Frames are played here; the app does not see them. */
    @Override
    public void onFrame(MediaFrame frame) {
        borrower.onFrame(frame);
    }

    /** Sent frames' memory goes back to the capture that lent it. */
    @Override
    public void onFrameSent(MediaFrame frame) {
        lender.onFrameSent(frame);
    }

    @Override
    public void onBorrowEnded(int channel, int reason) {
        borrower.onBorrowEnded(channel, reason);
        super.onBorrowEnded(channel, reason);
    }

    @Override
    public void onClosed(SessionEnd end) {
        lender.close();
        borrower.close();
        super.onClosed(end);
    }
}
