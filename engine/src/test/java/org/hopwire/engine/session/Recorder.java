package org.hopwire.engine.session;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;

/** A session handler for tests: answers as told and records what it was told. */
class Recorder implements SessionHandler {
    volatile boolean confirm = true;
    /** When set, the person's answer to the pairing code is this future's, given whenever the test decides. */
    volatile CompletableFuture<Boolean> confirmLater;
    volatile Consent consent = Consent.ALLOW_ONCE;
    /** How long preparing a lend takes (a device's start). */
    volatile long prepareMillis;
    volatile boolean acceptOffers = true;
    volatile String lendCaps = "video/x-raw,format=NV12,width=64,height=48";

    final List<String> codes = new CopyOnWriteArrayList<>();
    final AtomicInteger consentAsked = new AtomicInteger();
    final AtomicInteger lendsPrepared = new AtomicInteger();
    final BlockingQueue<Integer> lendsStarted = new LinkedBlockingQueue<>();
    final BlockingQueue<int[]> lendsEnded = new LinkedBlockingQueue<>();
    final BlockingQueue<Borrow> borrowsStarted = new LinkedBlockingQueue<>();
    final BlockingQueue<String> offersDeclined = new LinkedBlockingQueue<>();
    final BlockingQueue<long[]> borrowsEnded = new LinkedBlockingQueue<>();
    final BlockingQueue<MediaFrame> frames = new LinkedBlockingQueue<>();
    final BlockingQueue<ControlMessage.Catalog> catalogs = new LinkedBlockingQueue<>();
    final List<PeerSession.State> states = new CopyOnWriteArrayList<>();
    final CompletableFuture<SessionEnd> closed = new CompletableFuture<>();
    final List<String> peerErrors = new CopyOnWriteArrayList<>();
    final BlockingQueue<Borrow> capsChanged = new LinkedBlockingQueue<>();
    final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    final BlockingQueue<ControlMessage.Stats> peerStats = new LinkedBlockingQueue<>();

    @Override
    public void onPeerStats(ControlMessage.Stats stats) {
        peerStats.add(stats);
    }

    @Override
    public void onCapsChanged(Borrow borrow) {
        capsChanged.add(borrow);
    }

    @Override
    public void onPauseRequested(int channel, boolean paused) {
        requests.add((paused ? "pause " : "resume ") + channel);
    }

    /** How the owner carries out a borrower's format request; null: the default refusal. */
    volatile java.util.function.BiFunction<Integer, String, CompletionStage<Void>> formatChange;
    final BlockingQueue<String> formatRequests = new LinkedBlockingQueue<>();
    /** The preferred caps of each borrow this host was asked to lend, in order. */
    final BlockingQueue<String> preferredCaps = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Void> onFormatRequested(int channel, String preferredCaps) {
        formatRequests.add(channel + " " + preferredCaps);
        var change = formatChange;
        return change == null ? SessionHandler.super.onFormatRequested(channel, preferredCaps)
                : change.apply(channel, preferredCaps);
    }

    @Override
    public void onKeyFrameRequested(int channel) {
        requests.add("key frame " + channel);
    }

    @Override
    public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
        codes.add(code);
        CompletableFuture<Boolean> later = confirmLater;
        return later != null ? later : CompletableFuture.completedFuture(confirm);
    }

    @Override
    public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
        consentAsked.incrementAndGet();
        return CompletableFuture.completedFuture(consent);
    }

    @Override
    public void onOfferDeclined(String deviceId) {
        offersDeclined.add(deviceId);
    }

    @Override
    public CompletionStage<Boolean> acceptOffer(PeerInfo peer, String deviceId) {
        return CompletableFuture.completedFuture(acceptOffers);
    }

    @Override
    public String prepareLend(String deviceId, String preferredCaps) throws LendRefused {
        lendsPrepared.incrementAndGet();
        if (prepareMillis > 0) {
            try {
                Thread.sleep(prepareMillis); // a camera that takes its time to start
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        this.preferredCaps.add(preferredCaps);
        if (deviceId.equals("busy")) {
            throw new LendRefused(ProtocolError.DEVICE_BUSY, "the camera is in use by another program");
        }
        return deviceId.startsWith("mic") ? "audio/x-raw,rate=48000" : lendCaps;
    }

    final AtomicInteger groupsPrepared = new AtomicInteger();

    @Override
    public GroupCaps prepareGroupLend(String deviceId, String preferredCaps) throws LendRefused {
        groupsPrepared.incrementAndGet();
        return new GroupCaps(lendCaps, "audio/x-raw,format=S16LE,rate=48000,channels=2");
    }

    @Override
    public void onLendStarted(int channel, String deviceId) {
        lendsStarted.add(channel);
    }

    @Override
    public void onLendEnded(int channel, int reason) {
        lendsEnded.add(new int[] {channel, reason});
    }

    @Override
    public void onBorrowStarted(Borrow borrow) {
        borrowsStarted.add(borrow);
    }

    @Override
    public void onFrame(MediaFrame frame) {
        frames.add(frame);
    }

    final java.util.concurrent.atomic.AtomicInteger framesSent = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void onFrameSent(MediaFrame frame) {
        framesSent.incrementAndGet();
    }

    @Override
    public void onBorrowEnded(int channel, int reason) {
        borrowsEnded.add(new long[] {channel, reason, System.nanoTime()});
    }

    @Override
    public void onCatalog(ControlMessage.Catalog catalog) {
        catalogs.add(catalog);
    }

    @Override
    public void onPeerError(ProtocolError error, String text) {
        peerErrors.add(text);
    }

    @Override
    public void onStateChanged(PeerSession.State state) {
        states.add(state);
    }

    @Override
    public void onClosed(SessionEnd end) {
        closed.complete(end);
    }
}
