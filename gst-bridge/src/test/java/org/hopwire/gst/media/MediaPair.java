package org.hopwire.gst.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.PeerInfo;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.playback.Outputs;

/**
 * Two hosts on an emulated cable, each with its test devices, a GStreamer lender and borrower and a session: the
 * owner ("alpha") lends, the borrower ("beta") plays.
 */
final class MediaPair implements AutoCloseable {
    /** What the app side of each host answers and hears. */
    static final class App implements SessionHandler {
        volatile Consent consent = Consent.ALLOW_ONCE;
        final BlockingQueue<long[]> borrowsEnded = new LinkedBlockingQueue<>();
        final List<String> peerErrors = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
            return CompletableFuture.completedFuture(consent);
        }

        /** Whether the person lets the borrower adjust what it lends (the consent dialog's checkbox). */
        volatile boolean controls = true;

        @Override
        public CompletionStage<ConsentAnswer> askConsentWithControls(PeerInfo peer, String deviceId) {
            return CompletableFuture.completedFuture(new ConsentAnswer(consent, controls));
        }

        @Override
        public void onBorrowEnded(int channel, int reason) {
            borrowsEnded.add(new long[] {channel, reason});
        }

        @Override
        public void onPeerError(ProtocolError error, String text) {
            peerErrors.add(error + ": " + text);
        }

        /** Why the session ended, once it has. */
        volatile org.hopwire.engine.session.SessionEnd closed;

        @Override
        public void onClosed(org.hopwire.engine.session.SessionEnd end) {
            closed = end;
        }
    }

    final EmulatedTestbed bed;
    final DeviceCatalog ownerDevices = DeviceCatalog.testSourcesOnly();
    final DeviceCatalog borrowerDevices = DeviceCatalog.testSourcesOnly();
    final App ownerApp = new App();
    final App borrowerApp = new App();
    final MediaSessionHandler owner;
    final MediaSessionHandler borrower;
    PeerSession ownerSession;
    PeerSession borrowerSession;

    MediaPair(Path dir, Outputs outputs) throws Exception {
        this(dir, outputs, new EmulatedTestbed());
    }

    MediaPair(Path dir, Outputs outputs, EmulatedTestbed bed) throws Exception {
        this(dir, outputs, bed, PeerSession.Config.DEFAULT);
    }

    /** As above, with the sessions' settings (the control bench beats faster to sample the heartbeat). */
    MediaPair(Path dir, Outputs outputs, EmulatedTestbed bed, PeerSession.Config config) throws Exception {
        this.bed = bed;
        ownerDevices.start();
        borrowerDevices.start();
        owner = new MediaSessionHandler(ownerApp, new GstLender(ownerDevices, () -> 1_100_000_000L,
                FormatChooser.Options.DEFAULT), new GstBorrower(b -> outputs));
        borrower = new MediaSessionHandler(borrowerApp, new GstLender(borrowerDevices, () -> 1_100_000_000L,
                FormatChooser.Options.DEFAULT), new GstBorrower(b -> outputs));
        // Problems are printed: a failing test then shows the pipeline's own words.
        owner.lender().onProblem(pr -> System.err.println("owner: " + pr));
        borrower.borrower().onProblem(pr -> System.err.println("borrower: " + pr));
        Fabric fa = bed.a();
        Fabric fb = bed.b();
        PairedStreams[] both = bed.pairOnBoth(List.of("hwctl", "hwdata"));
        PairedStreams pa = both[0];
        PairedStreams pb = both[1];
        ownerSession = start(fa, pa, "alpha", new PeerStore(dir.resolve("a")), owner, config);
        borrowerSession = start(fb, pb, "beta", new PeerStore(dir.resolve("b")), borrower, config);
        ownerSession.setCatalog(ownerDevices.toCatalog());
        borrowerSession.setCatalog(borrowerDevices.toCatalog());
        Transfers.await(() -> ownerSession.state() == PeerSession.State.READY
                && borrowerSession.state() == PeerSession.State.READY, Duration.ofSeconds(10), "sessions ready");
        // Each has the other's catalog (sent after authentication) before a test looks at it or borrows from it.
        Transfers.await(() -> !borrowerSession.peerCatalog().devices().isEmpty()
                && !ownerSession.peerCatalog().devices().isEmpty(), Duration.ofSeconds(10), "catalogs");
    }

    private static PeerSession start(Fabric f, PairedStreams p, String name, PeerStore store,
                                     MediaSessionHandler handler, PeerSession.Config config) throws Exception {
        StreamChannel data = f.open(p.stream("hwdata").address(), Duration.ofSeconds(5));
        StreamChannel control = f.open(p.stream("hwctl").address(), Duration.ofSeconds(5));
        PeerHost peer = p.peer();
        PeerSession s = PeerSession.start(config, new PeerSession.Identity(f.localHostUuid(), name,
                "test"), new PeerInfo(peer.uuid(), peer.deviceName(), peer.id()), control, data, store, handler);
        handler.attach(s);
        return s;
    }

    @Override
    public void close() {
        if (borrowerSession != null) {
            borrowerSession.close();
        }
        if (ownerSession != null) {
            ownerSession.close();
        }
        ownerDevices.close();
        borrowerDevices.close();
        bed.close();
    }
}
