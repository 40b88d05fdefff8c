package org.hopwire.app.core;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.hopwire.app.text.Text;
import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.Subscription;
import org.hopwire.engine.pairing.StreamPairing;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.PeerLink;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.device.DeviceCatalog;
import org.hopwire.gst.device.MediaDevice;
import org.hopwire.gst.format.FormatChoice;
import org.hopwire.gst.format.FormatChooser;
import org.hopwire.gst.media.LocalPreview;
import org.hopwire.gst.playback.Outputs;
import org.hopwire.gst.playback.Playback;

/**
 * The app's model of this host and its peers, without any toolkit: one {@link PeerLink session} per host on the
 * cable, media through gst-bridge, questions to an {@link Asker}, and a {@link Snapshot} of it all for the window.
 *
 * <p>Threads: the hub's actions run on its own worker thread (starting a capture or closing a pipeline takes time,
 * and must never happen on the UI thread); sessions call in on theirs; a ticker samples the link counters twice a
 * second. {@link #snapshot()} and the {@code whyNot...} checks only read, so the UI thread may call them.
 */
public final class Hub implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    /** How often the link counters are sampled and the window told: the link panel's refresh rate. */
    public static final long TICK_MS = 500;
    /** A borrow with no frame for this long is shown stalled: four ticks, well above a 5 fps source's gap. */
    public static final long STALL_MS = 2000;
    /** Samples kept for the throughput chart: 60 s at two a second. */
    public static final int HISTORY_SAMPLES = 120;
    /**
     * The share of a link's nominal rate a stream gets: 1.1 GB/s was measured on a 40 Gb/s USB4 link (the engine's
     * {@code USB4_40G} preset), 22 % of 5 GB/s.
     */
    static final double USABLE_SHARE = 0.22;

    /** Told of changes and notices; called on hub or session threads, must return quickly. */
    public interface Listener {
        default void changed() {
        }

        default void notice(Notice notice) {
        }

        /**
         * A peer's person declined a device this host offered it ({@link #offer}'s future completes when the offer is
         * sent; this is its answer when it is no). A yes shows as a lend in the snapshot.
         */
        default void offerDeclined(UUID peer, String deviceId) {
        }
    }

    private final Fabric fabric;
    private final DeviceCatalog devices;
    /** This host's captures, shared by every peer's lender: a device lent to several peers is opened once. */
    private final org.hopwire.gst.capture.SharedCaptures captures = new org.hopwire.gst.capture.SharedCaptures();
    private final PeerStore store;
    private final PeerSession.Identity identity;
    private final Asker asker;
    private final Supplier<Settings> settings;
    private final PeerSession.Config sessionConfig;
    private final ExecutorService worker;
    private final ScheduledExecutorService ticker;
    private final Map<UUID, PeerEntry> peers = new LinkedHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<UUID>> forgetHooks = new CopyOnWriteArrayList<>();
    private final List<LocalPreview> localPreviews = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private final Object snapshotLock = new Object();
    private Subscription fabricSubscription;
    private Runnable devicesSubscription;
    private volatile boolean closed;

    /**
     * @param devices       this host's devices, started
     * @param settings      read at each decision (consent default, format policy), so changes apply at once; the
     *                      data protection is read as each session starts, so it applies from the next one on
     * @param sessionConfig the sessions' configuration, but for its data protection: the settings' replaces it
     */
    public Hub(Fabric fabric, DeviceCatalog devices, PeerStore store, PeerSession.Identity identity, Asker asker,
               Supplier<Settings> settings, PeerSession.Config sessionConfig) {
        this.fabric = Objects.requireNonNull(fabric, "fabric");
        this.devices = Objects.requireNonNull(devices, "devices");
        this.store = Objects.requireNonNull(store, "store");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.asker = Objects.requireNonNull(asker, "asker");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sessionConfig = Objects.requireNonNull(sessionConfig, "sessionConfig");
        this.worker = Executors.newSingleThreadExecutor(r -> daemon(r, "hopwire-hub"));
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hopwire-hub-tick"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts watching the cable and the devices. */
    /**
     * Tears down the control and data streams a run that crashed left behind: still announced to their peers, they
     * would hand a peer's next session stale HopIDs. Before any link starts, on the worker.
     */
    private void removeLeftovers() {
        try {
            var removed = StreamPairing.removeLeftovers(fabric, List.of(PeerLink.CONTROL_STREAM,
                    PeerLink.DATA_STREAM));
            if (!removed.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "removed streams an earlier run left behind: " + removed);
            }
        } catch (FabricException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove streams an earlier run left behind: "
                    + e.getMessage());
        }
    }

    public void start() {
        devicesSubscription = devices.addListener(new DeviceCatalog.Listener() {
            @Override
            public void added(MediaDevice device) {
                worker.execute(Hub.this::publishCatalog);
            }

            @Override
            public void removed(MediaDevice device) {
                worker.execute(Hub.this::publishCatalog);
            }
        });
        fabricSubscription = fabric.addListener(e -> worker.execute(this::syncPeers));
        worker.execute(this::removeLeftovers);
        // Virtual microphones a crashed run left in the sound server: pactl, so off the worker (a hung sound server
        // must not hold up the peers).
        Thread mics = new Thread(() -> {
            int removed = org.hopwire.gst.playback.VirtualMicrophone.cleanUpLeftovers();
            if (removed > 0) {
                LOG.log(System.Logger.Level.INFO, "removed " + removed + " sound server modules an earlier run left");
            }
        }, "hopwire-mic-cleanup");
        mics.setDaemon(true);
        mics.start();
        worker.execute(this::syncPeers);
        ticker.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    public Runnable addListener(Listener l) {
        listeners.add(l);
        return () -> listeners.remove(l);
    }

    /** Called with a peer's UUID after this host forgot it (the demo peer forgets this host too). */
    public void onForget(java.util.function.Consumer<UUID> hook) {
        forgetHooks.add(hook);
    }

    /** What the window shows now. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** The fabric's kind: "kernel" or "emulated". */
    public String fabricKind() {
        return fabric.kind();
    }

    /** This host as peers know it: its UUID and the name it gives them. */
    public PeerSession.Identity identity() {
        return identity;
    }

    public PeerStore peerStore() {
        return store;
    }

    // ---- what a person does ----------------------------------------------------------------------------------------

    /** Offers one of this host's devices to a peer; its person decides. Fails with {@link ActionRefused}. */
    public CompletableFuture<Void> offer(UUID peer, String deviceId) {
        return onWorker(() -> {
            changed(); // decide on the present, not on the last tick's picture
            whyNotOffer(peer, deviceId).ifPresent(why -> {
                throw new ActionRefused(why);
            });
            PeerEntry e = entry(peer);
            PeerSession s = e.link.session().orElseThrow(() -> new ActionRefused(Text.tr("why.not.connected",
                    e.name())));
            try {
                s.offer(deviceId);
            } catch (org.hopwire.engine.session.SessionException ex) {
                LOG.log(System.Logger.Level.WARNING, "offer of " + deviceId + " to " + e.name() + " failed", ex);
                throw new ActionRefused(Text.tr("why.offer.failed", deviceName(deviceId), e.name()));
            }
            notice(Notice.info(Text.tr("notice.offered", deviceName(deviceId), e.name())));
            return null;
        });
    }

    /**
     * Asks a peer to lend a device; completes when its pictures start, fails with {@link ActionRefused} (cannot be
     * asked) or the session's refusal (denied, busy).
     */
    public CompletableFuture<Borrow> borrow(UUID peer, String deviceId, Outputs outputs) {
        return borrow(peer, deviceId, outputs, "");
    }

    /**
     * As above, asking for a format ("video/x-raw,width=640,height=480"); the owner's chooser has the last word. With
     * no format given, the one the person chose for this device ("Choose format…") is asked for, if any.
     */
    public CompletableFuture<Borrow> borrow(UUID peer, String deviceId, Outputs outputs, String preferredCaps) {
        String caps = preferredCaps.isEmpty() ? settings.get().formatFor(peer, deviceId).orElse("") : preferredCaps;
        return onWorker(() -> {
            changed();
            whyNotBorrow(peer, deviceId).ifPresent(why -> {
                throw new ActionRefused(why);
            });
            return entry(peer);
        }).thenCompose(e -> e.borrow(deviceId, outputs, caps));
    }

    /**
     * How long a format change waits for the owner's answer: a new capture starts within {@code
     * GstLender.START_TIMEOUT} (5 s) on the owner, plus a round trip. An owner older than protocol 3.1 never answers.
     */
    public static final long FORMAT_ANSWER_MS = 6000;

    /**
     * Asks the owner of a borrowed device to send it in another format ("" for the owner's own choice) without ending
     * the borrow; its outputs follow. Completes with the borrow in its new caps; fails with {@link ActionRefused}
     * (not borrowed, not connected, no answer within {@link #FORMAT_ANSWER_MS}) or the owner's refusal ({@link
     * org.hopwire.engine.session.ConsentDeniedException} carrying its error). The borrow goes on as it was then.
     */
    public CompletableFuture<Borrow> changeFormat(UUID peer, String deviceId, String caps) {
        return onWorker(() -> entry(peer)).thenCompose(e -> e.changeFormat(deviceId, caps));
    }

    /**
     * Every way a peer's device can be asked for over the link to it, rated on that link (the borrow menu's "Choose
     * format…"); empty when the peer or device is not known now, or for a microphone.
     */
    public List<FormatChooser.Option> formatOptions(UUID peer, String deviceId) {
        return find(peer).flatMap(e -> e.peerDevice(deviceId).map(d -> FormatChooser.options(d,
                e.linkBytesPerSecond(), formatOptions()))).orElse(List.of());
    }

    /** Gives a borrowed device back (or stops waiting for it). */
    public CompletableFuture<Void> giveBack(UUID peer, String deviceId) {
        return onWorker(() -> {
            entry(peer).giveBack(deviceId);
            return null;
        });
    }

    /** Ends a lend at once. */
    public CompletableFuture<Void> revoke(UUID peer, int channel) {
        return onWorker(() -> {
            PeerEntry e = entry(peer);
            e.link.session().ifPresent(s -> s.revoke(channel));
            return null;
        });
    }

    /** Forgets a peer's pairing: the next session pairs again with a new code. */
    public CompletableFuture<Void> forget(UUID peer) {
        return onWorker(() -> {
            try {
                store.forget(peer);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not forget " + peer + " in " + store.directory(), e);
                throw new ActionRefused(Text.tr("why.forget.failed", store.directory()));
            }
            forgetHooks.forEach(h -> h.accept(peer));
            Optional<PeerEntry> e = find(peer);
            notice(Notice.info(Text.tr("notice.forgot", e.map(PeerEntry::name).orElse(peer.toString()))));
            e.ifPresent(x -> x.restart("notice.borrow.cleared.forgot"));
            return null;
        });
    }

    /** Starts over with a peer whose session ended for good (pairing rejected, say). */
    public CompletableFuture<Void> reconnect(UUID peer) {
        return onWorker(() -> {
            entry(peer).restart("notice.borrow.cleared.pair.again");
            return null;
        });
    }

    /** Starts a preview of one of this host's cameras; fails with {@link ActionRefused} saying why. */
    public CompletableFuture<LocalPreview> previewLocal(String deviceId) {
        return onWorker(() -> {
            try {
                // A tap on the captures the lenders share: a camera lent now is not opened twice (busy).
                LocalPreview p = LocalPreview.start(devices, captures, deviceId);
                localPreviews.add(p);
                return p;
            } catch (org.hopwire.gst.GstPipelineException | org.hopwire.gst.GStreamerUnavailableException e) {
                LOG.log(System.Logger.Level.WARNING, "no preview of " + deviceId, e);
                throw new ActionRefused(Text.tr("refused.preview", deviceName(deviceId),
                        Text.tr("why.preview.failed")));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ActionRefused(Text.tr("refused.preview", deviceName(deviceId), Text.tr("why.interrupted")));
            }
        });
    }

    /** Stops a local preview (its pipelines end on the hub's thread, not the caller's). */
    public void stopPreview(LocalPreview preview) {
        if (localPreviews.remove(preview)) {
            try {
                worker.execute(preview::close);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // The hub is closing and closes what is left itself.
                localPreviews.add(preview);
            }
        }
    }

    /** The session with a peer now, if any (tests and tools: pausing a channel to see a stall). */
    public Optional<PeerSession> session(UUID peer) {
        return find(peer).flatMap(e -> e.link.session());
    }

    /** The controls of one of this host's devices, with their values now. */
    public List<org.hopwire.engine.protocol.ControlMessage.Control> ownControls(String deviceId) {
        return devices.controls(deviceId);
    }

    /**
     * Sets a control of one of this host's devices as its owner (the command line, a tool): every capture of it
     * takes the value, and every peer that borrows it is told. Returns the value in force.
     */
    public long setOwnControl(String deviceId, String name, long value)
            throws org.hopwire.engine.session.SessionHandler.ControlFailed {
        org.hopwire.engine.protocol.ControlMessage.Control control = devices.controls(deviceId).stream()
                .filter(c -> c.name().equals(name)).findFirst().orElseThrow(() ->
                        new org.hopwire.engine.session.SessionHandler.ControlFailed(deviceName(deviceId)
                                + " has no control " + name));
        // One owner change at a time: two at once (the "Adjust…" dialog's worker and the command line) each set the
        // device and then remembered their own value, so the one that remembered last could be the one the device
        // did not keep, and the dialog showed a value the device did not have.
        synchronized (ownControlLock) {
            long actual = control.clamp(value);
            for (PeerEntry e : entries()) {
                actual = e.media.lender().setControl(deviceId, name, value);
            }
            devices.rememberControl(deviceId, name, actual);
            return actual;
        }
    }

    /** Held while the owner's change of a control is set on every capture and remembered. */
    private final Object ownControlLock = new Object();

    /** The playback of a borrowed channel, for its preview. */
    public Optional<Playback> playback(UUID peer, int channel) {
        return find(peer).flatMap(e -> e.media.borrower().playback(channel));
    }

    // ---- what can be dropped where ---------------------------------------------------------------------------------

    /** Why a local device cannot be offered to a peer now; empty when it can. */
    public Optional<String> whyNotOffer(UUID peer, String deviceId) {
        Snapshot s = snapshot;
        Optional<Snapshot.Peer> p = s.peer(peer);
        Optional<String> notReady = p.isEmpty() ? Optional.of(Text.tr("why.not.on.cable")) : notReady(p.get());
        if (notReady.isPresent()) {
            return notReady;
        }
        Optional<MediaDevice> device = devices.find(deviceId);
        if (device.isEmpty()) {
            return Optional.of(Text.tr("why.device.unplugged"));
        }
        String name = device.get().name();
        if (s.lends().stream().anyMatch(l -> l.peer().equals(peer) && l.deviceId().equals(deviceId))) {
            return Optional.of(Text.tr("why.already.lent", name, p.get().name()));
        }
        long link = find(peer).map(PeerEntry::linkBytesPerSecond).orElse(0L);
        FormatChoice choice = FormatChooser.choose(device.get(), link, "", formatOptions());
        if (link > 0 && choice.bytesPerSecond() > link) {
            return Optional.of(Text.tr("why.link.too.slow", name, choice.describe(), choice.bytesPerSecond() / 1e6,
                    p.get().name(), link / 1e6));
        }
        return Optional.empty();
    }

    /** Why a peer's device cannot be borrowed now; empty when it can. */
    public Optional<String> whyNotBorrow(UUID peer, String deviceId) {
        Snapshot s = snapshot;
        Optional<Snapshot.Peer> p = s.peer(peer);
        Optional<String> notReady = p.isEmpty() ? Optional.of(Text.tr("why.not.on.cable")) : notReady(p.get());
        if (notReady.isPresent()) {
            return notReady;
        }
        Optional<Snapshot.Device> d = p.get().device(deviceId);
        if (d.isEmpty()) {
            return Optional.of(Text.tr("why.no.longer.offered", p.get().name()));
        }
        if (s.borrows().stream().anyMatch(b -> b.peer().equals(peer) && b.deviceId().equals(deviceId))) {
            return Optional.of(Text.tr("why.already.borrows", d.get().name(), p.get().name()));
        }
        return Optional.empty();
    }

    private static Optional<String> notReady(Snapshot.Peer p) {
        return switch (p.state()) {
            case PAIRED -> Optional.empty();
            case OFFLINE -> Optional.of(Text.tr("why.offline", p.name()));
            case PAIRING -> Optional.of(Text.tr("why.pairing", p.name()));
            case CONNECTING -> Optional.of(Text.tr("why.connecting", p.name()));
            case NOT_PAIRED -> Optional.of(Text.tr("why.not.paired", p.name(), p.detail()));
        };
    }

    /** The settings changed: lends from now on follow the new format policy. */
    public void settingsChanged() {
        entries().forEach(e -> e.media.lender().setOptions(formatOptions()));
    }

    FormatChooser.Options formatOptions() {
        return new FormatChooser.Options(settings.get().formatPolicy(), true, true);
    }

    /**
     * The configuration of a session starting now: the one given to the hub with the data protection chosen in the
     * settings. Read as each session starts (after a cable pull, a resume, Pair again), never for a running one.
     */
    PeerSession.Config sessionConfig() {
        return sessionConfig.withProtection(settings.get().dataProtection());
    }

    // ---- inside --------------------------------------------------------------------------------------------------

    private <T> CompletableFuture<T> onWorker(Supplier<T> action) {
        return CompletableFuture.supplyAsync(action, worker);
    }

    /** Moves the rest of an answer's work onto the hub's thread, whichever thread the person answered on. */
    <T> CompletableFuture<T> answerOnWorker(java.util.concurrent.CompletionStage<T> answer) {
        return answer.toCompletableFuture().thenApplyAsync(v -> v, worker);
    }

    /** Runs a piece of the hub's own work on its thread (from session or GStreamer threads). */
    void runOnWorker(Runnable r) {
        try {
            worker.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the hub is closing: nothing left to do
        }
    }

    private PeerEntry entry(UUID peer) {
        return find(peer).orElseThrow(() -> new ActionRefused(Text.tr("why.not.on.cable")));
    }

    private Optional<PeerEntry> find(UUID peer) {
        synchronized (peers) {
            return Optional.ofNullable(peers.get(peer));
        }
    }

    /** The peers now, copied: iterated outside the lock, since closing or sampling one can take time. */
    private List<PeerEntry> entries() {
        synchronized (peers) {
            return new ArrayList<>(peers.values());
        }
    }

    String deviceName(String deviceId) {
        return devices.find(deviceId).map(MediaDevice::name).orElse(deviceId);
    }

    DeviceCatalog devices() {
        return devices;
    }

    /** The captures every peer's lender shares. */
    org.hopwire.gst.capture.SharedCaptures captures() {
        return captures;
    }

    Asker asker() {
        return asker;
    }

    Settings settings() {
        return settings.get();
    }

    boolean isClosed() {
        return closed;
    }

    void notice(Notice n) {
        listeners.forEach(l -> l.notice(n));
    }

    void offerDeclined(UUID peer, String deviceId) {
        listeners.forEach(l -> l.offerDeclined(peer, deviceId));
    }

    /**
     * Rebuilds the snapshot and tells the window; on any thread. Serialised, so a snapshot built from older state
     * never replaces a newer one.
     */
    void changed() {
        if (closed) {
            return;
        }
        synchronized (snapshotLock) {
            rebuild();
        }
        listeners.forEach(Listener::changed);
    }

    private void rebuild() {
        List<Snapshot.Device> local = devices.devices().stream().map(Hub::view).toList();
        List<Snapshot.Peer> peerViews = new ArrayList<>();
        List<Snapshot.Lend> lends = new ArrayList<>();
        List<Snapshot.Borrowed> borrows = new ArrayList<>();
        for (PeerEntry e : entries()) {
            peerViews.add(e.view());
            lends.addAll(e.lendViews());
            borrows.addAll(e.borrowViews());
        }
        snapshot = new Snapshot(local, List.copyOf(peerViews), List.copyOf(lends), List.copyOf(borrows));
    }

    static Snapshot.Device view(MediaDevice d) {
        return new Snapshot.Device(d.id(), d.name(), d.kind(), d.test(), d.summary());
    }

    private void publishCatalog() {
        entries().forEach(e -> e.link.setCatalog(devices.toCatalog()));
        changed();
    }

    private void syncPeers() {
        if (closed) {
            return;
        }
        List<PeerHost> now;
        try {
            now = fabric.peers();
        } catch (FabricException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the hosts on the cable", e);
            notice(Notice.error(Text.tr("notice.cable.unreadable")));
            return;
        }
        List<UUID> seen = new ArrayList<>();
        for (PeerHost p : now) {
            if (p.streamService().isEmpty()) {
                continue;
            }
            seen.add(p.uuid());
            PeerEntry e;
            boolean added = false;
            synchronized (peers) {
                e = peers.get(p.uuid());
                if (e == null) {
                    e = new PeerEntry(this, fabric, p, store, identity, this::sessionConfig);
                    peers.put(p.uuid(), e);
                    added = true;
                }
            }
            if (e.cableSeen(p) || added) {
                notice(Notice.info(Text.tr(e.emulated ? "notice.peer.on.cable.emulated" : "notice.peer.on.cable",
                        p.deviceName())));
            }
            if (added) {
                e.start(devices.toCatalog());
            }
        }
        for (PeerEntry e : entries()) {
            if (!seen.contains(e.uuid) && e.cableLost()) {
                notice(Notice.warning(Text.tr("notice.peer.left.cable", e.name())));
            }
        }
        changed();
    }

    private void tick() {
        try {
            entries().forEach(PeerEntry::sample);
            changed();
        } catch (RuntimeException e) {
            // A bad sample must not end the ticker (a scheduled task that throws is never run again).
            LOG.log(System.Logger.Level.WARNING, "could not update the link figures", e);
            notice(Notice.warning(Text.tr("notice.link.figures.failed")));
        }
    }

    /** Ends every session (saying goodbye), removes their streams and stops the hub's threads. */
    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        if (fabricSubscription != null) {
            fabricSubscription.close();
        }
        if (devicesSubscription != null) {
            devicesSubscription.run();
        }
        entries().parallelStream().forEach(PeerEntry::close);
        worker.shutdownNow();
        localPreviews.forEach(LocalPreview::close);
        localPreviews.clear();
        captures.close();
    }
}
