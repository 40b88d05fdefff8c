package org.hopwire.app.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.DemoFabric;
import org.hopwire.engine.Fabrics;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerInfo;
import org.hopwire.engine.session.PeerLink;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.GStreamerUnavailableException;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.media.GstBorrower;
import org.hopwire.gst.media.GstLender;
import org.hopwire.gst.media.MediaSessionHandler;
import org.hopwire.gst.playback.Outputs;

/**
 * {@value Fabrics#DEMO_PEER_NAME}: an emulated host inside the app, on the other end of the emulated cable. It runs
 * a real session (pairing, consent, media) with its own test camera and microphone, and its person is played by
 * rules: it confirms the pairing code after a moment, lends what it is asked for once, and takes what it is offered
 * (the codes and the offers can be turned to no, for a test or to see it happen).
 * It can also ask this host for a device, so a first-time user sees the consent question.
 */
public final class DemoPeer implements AutoCloseable {
    /** How long the demo's "person" takes to confirm the code: long enough to see it on the screen. */
    static final long CONFIRM_DELAY_MS = 600;
    /** How long the demo waits before it is ready to pair again after a session ended for good. */
    static final long RESTART_AFTER_MS = 1000;

    private final DemoFabric demo;
    /** Test sources only: the demo must not offer this machine's real cameras as its own. */
    private final DeviceCatalog devices = DeviceCatalog.testSourcesOnly();
    private final PeerStore store;
    private final MediaSessionHandler media;
    private final UUID host;
    private volatile PeerLink link;
    private volatile boolean confirmPairing = true;
    private volatile boolean acceptOffers = true;
    private volatile boolean allowAlways;
    /** How many times the demo's person was asked to lend something (tests: "always" asks no more). */
    private final java.util.concurrent.atomic.AtomicInteger consentQuestions =
            new java.util.concurrent.atomic.AtomicInteger();
    /** The devices the demo asks this host for now, with the question open: it asks once at a time. */
    private final java.util.Set<String> asking = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * @param stateDir where the demo peer keeps its pairing with this host (so it survives a restart as this
     *                 host's does)
     */
    public DemoPeer(DemoFabric demo, Path stateDir) throws GStreamerUnavailableException {
        this.demo = demo;
        this.store = new PeerStore(stateDir.resolve("peers"));
        devices.start();
        GstLender lender = new GstLender(devices, () -> 1_100_000_000L, FormatChooser.Options.DEFAULT);
        // What the demo borrows plays nowhere anyone looks: the picture is decoded and let go, audio is not heard.
        GstBorrower borrower = new GstBorrower(b -> b.caps().startsWith("audio/")
                ? new Outputs(false, Optional.empty(), Optional.empty(), false, true) : Outputs.PREVIEW);
        media = new MediaSessionHandler(new Person(), lender, borrower);
        this.host = demo.local().localHostUuid();
        link = newLink();
        devices.addListener(new DeviceCatalog.Listener() {
            @Override
            public void added(org.hopwire.gst.device.MediaDevice d) {
                link.setCatalog(devices.toCatalog());
            }

            @Override
            public void removed(org.hopwire.gst.device.MediaDevice d) {
                link.setCatalog(devices.toCatalog());
            }
        });
    }

    private PeerLink newLink() {
        PeerLink l = new PeerLink(demo.demo(), host, new PeerSession.Identity(DemoFabric.DEMO_PEER_UUID,
                Fabrics.DEMO_PEER_NAME, "demo"), store, media, PeerSession.Config.DEFAULT, this::onState,
                media::attach);
        l.setCatalog(devices.toCatalog());
        return l;
    }

    /**
     * A session this host ended for good (pairing rejected, pairing forgotten) is started again after a pause, as a
     * person would click "Pair again": the demo is always ready to pair.
     */
    private void onState(PeerLink.State s) {
        if (s == PeerLink.State.CLOSED && !closed) {
            CompletableFuture.delayedExecutor(RESTART_AFTER_MS, TimeUnit.MILLISECONDS).execute(() -> {
                synchronized (this) {
                    if (!closed) {
                        link = newLink();
                    }
                }
            });
        }
    }

    /** The demo's own devices (its test camera can be pulled out, as a real one can). */
    public DeviceCatalog devices() {
        return devices;
    }

    /** Where the demo's session is. */
    public PeerLink.State state() {
        return link.state();
    }

    /**
     * Has the demo ask this host for one of its devices: this host's person is asked for consent. While one request
     * for a device is open, another for it gets that one's answer (its person asks once, as a person would).
     */
    public CompletableFuture<Borrow> askFor(String deviceId) {
        asking.add(deviceId);
        changed();
        return link.borrow(deviceId, "").whenComplete((b, e) -> {
            asking.remove(deviceId);
            changed();
        });
    }

    /**
     * Asks as a peer that does not keep to one ask per device and session would (a Hopwire older than this one's
     * link): straight through the session, even while an ask for the device is open or the device is lent. For the
     * tests of this host's answer to such a peer.
     */
    CompletableFuture<Borrow> askAsAnOlderPeer(String deviceId) {
        PeerLink l = link;
        PeerSession s = l == null ? null : l.session().orElse(null);
        if (s == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the demo has no session now"));
        }
        return s.borrow(deviceId, "");
    }

    /** True while the demo's request for a device waits for this host's answer. */
    public boolean isAsking(String deviceId) {
        return asking.contains(deviceId);
    }

    /** True when the demo borrows a device of this host now, or waits for it. */
    public boolean borrows(String deviceId) {
        return asking.contains(deviceId) || borrowing().stream().anyMatch(b -> b.deviceId().equals(deviceId));
    }

    /** Told when the demo's own state changes (cable, requests, test camera), on any thread. */
    public Runnable onChange(Runnable listener) {
        changeListeners.add(listener);
        return () -> changeListeners.remove(listener);
    }

    private void changed() {
        changeListeners.forEach(Runnable::run);
    }

    /** Gives back everything the demo borrows from this host. */
    public void giveBackAll() {
        link.session().ifPresent(s -> s.borrowing().forEach(b -> link.giveBack(b.channel())));
    }

    /** What the demo borrows from this host now. */
    public List<Borrow> borrowing() {
        return link.session().map(PeerSession::borrowing).orElse(List.of());
    }

    /** Whether this host lets the demo adjust a device it borrows, as this host last said; empty before. */
    public java.util.Optional<org.hopwire.engine.protocol.ControlMessage.ControlAccess> controlAccess(String deviceId) {
        return link.session().flatMap(s -> s.borrowing().stream().filter(b -> b.deviceId().equals(deviceId))
                .findFirst().map(b -> s.borrowedControlAccess(b.channel())));
    }

    /** The settings of a device the demo borrows from this host, as this host last told them; empty when none. */
    public List<org.hopwire.engine.protocol.ControlMessage.Control> borrowedControls(String deviceId) {
        return link.session().flatMap(s -> s.borrowing().stream().filter(b -> b.deviceId().equals(deviceId))
                .findFirst().map(b -> s.borrowedControls(b.channel()))).orElse(List.of());
    }

    /** The channels it lends this host now. */
    public java.util.Map<Integer, String> lending() {
        return link.session().map(PeerSession::lending).orElse(java.util.Map.of());
    }

    /** The demo's captures now lent, with how each is sent. */
    public List<GstLender.Lend> lends() {
        return media.lender().lends();
    }

    /** Frames the demo sent on the channels it lends now (benchmarks). */
    public long sentFrames() {
        return link.session().map(s -> s.lending().keySet().stream().mapToLong(ch -> s.sentStats(ch).frames()).sum())
                .orElse(-1L);
    }

    /** False makes the demo's person reject the next pairing code (for a test or to see it happen). */
    public void confirmPairing(boolean yes) {
        confirmPairing = yes;
    }

    /**
     * True makes the demo's person allow what this host asks for "Always" (remembered with the pairing, so a replug
     * or a later request passes without a question); false, the default, allows it once.
     */
    public void allowAlways(boolean yes) {
        allowAlways = yes;
    }

    /** How many times the demo's person was asked for one of its devices. */
    public int consentQuestions() {
        return consentQuestions.get();
    }

    public boolean allowsAlways() {
        return allowAlways;
    }

    /** False makes the demo's person decline what this host offers it (for a test or to see it happen). */
    public void acceptOffers(boolean yes) {
        acceptOffers = yes;
    }

    /** Forgets this host's pairing, as this host forgot the demo's. */
    public void forget(UUID host) {
        try {
            store.forget(host);
        } catch (IOException e) {
            // Its next session fails authentication and says how to recover.
        }
    }

    /** Pulls the emulated cable out. */
    public void unplug() {
        demo.cable().unplug();
        changed();
    }

    /** Plugs it back in. */
    public void plug() {
        demo.cable().plug();
        changed();
    }

    public boolean isPlugged() {
        return demo.cable().isPlugged();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        link.close();
        media.lender().close();
        media.borrower().close();
        devices.close();
    }

    /** The demo's person, played by rules. */
    private final class Person implements SessionHandler {
        @Override
        public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
            boolean answer = confirmPairing;
            return CompletableFuture.supplyAsync(() -> answer,
                    CompletableFuture.delayedExecutor(CONFIRM_DELAY_MS, TimeUnit.MILLISECONDS));
        }

        @Override
        public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
            consentQuestions.incrementAndGet();
            return CompletableFuture.completedFuture(allowAlways ? Consent.ALLOW_ALWAYS : Consent.ALLOW_ONCE);
        }

        @Override
        public CompletionStage<Boolean> acceptOffer(PeerInfo peer, String deviceId) {
            return CompletableFuture.completedFuture(acceptOffers);
        }

        /** The demo's person lets this host adjust what it lends (a borrow allowed once asks at the first change). */
        @Override
        public CompletionStage<Boolean> askControl(PeerInfo peer, String deviceId) {
            return CompletableFuture.completedFuture(allowControls);
        }
    }

    /** Whether the demo's person lets this host adjust the devices it lends. */
    private volatile boolean allowControls = true;

    /** Tells the demo's person whether to let this host adjust a device lent once, when asked. */
    public void allowControls(boolean yes) {
        allowControls = yes;
    }

    /**
     * Changes a control of the demo's own device, as its person would on that laptop: a borrower sees the new value.
     */
    public long setControl(String deviceId, String name, long value) throws SessionHandler.ControlFailed {
        return media.lender().setControl(deviceId, name, value);
    }
}
