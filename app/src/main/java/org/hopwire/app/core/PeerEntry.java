package org.hopwire.app.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.session.Borrow;
import org.hopwire.engine.session.ChannelStats;
import org.hopwire.engine.session.PeerInfo;
import org.hopwire.engine.session.PeerLink;
import org.hopwire.engine.session.PeerSession;
import org.hopwire.engine.session.SessionEnd;
import org.hopwire.engine.session.SessionHandler;
import org.hopwire.engine.session.StatsReporter;
import org.hopwire.engine.trust.PeerStore;
import org.hopwire.gst.media.GstBorrower;
import org.hopwire.gst.media.GstLender;
import org.hopwire.gst.media.MediaSessionHandler;
import org.hopwire.gst.playback.Outputs;

/**
 * One peer as the hub keeps it: its link (which survives cable pulls), its media, what is lent and borrowed, the
 * link's recent rates. It is the app's {@link SessionHandler} for that peer: questions go to the person through the
 * hub's {@link Asker}, events become notices and a new snapshot.
 */
final class PeerEntry implements SessionHandler {
    /** A device the person wants from this peer, and where its pictures go. */
    private record Wanted(String deviceName, Outputs outputs) {
    }

    private record Playing(Borrow borrow, String deviceName) {
    }

    final UUID uuid;
    final boolean emulated;
    final MediaSessionHandler media;
    volatile PeerLink link;
    private final Hub hub;
    private final Fabric fabric;
    private final PeerStore store;
    private final PeerSession.Identity identity;
    /** Read as each session with this peer starts: the settings' data protection applies from the next one on. */
    private final java.util.function.Supplier<PeerSession.Config> config;
    private volatile PeerHost host;
    private volatile boolean onCable = true;
    private volatile PeerLink.State linkState = PeerLink.State.WAITING_FOR_PEER;
    private volatile String pairingCode;
    private final Map<String, Wanted> wanted = new ConcurrentHashMap<>();
    private final Map<Integer, Playing> playing = new ConcurrentHashMap<>();
    private final java.util.Set<String> soundWarned = ConcurrentHashMap.newKeySet();

    // The link panel's figures; the ticker alone touches them, the snapshot reads the published copy.
    private PeerSession sampledSession;
    private StatsReporter sentReporter;
    private StatsReporter receivedReporter;
    private final Map<String, StatsReporter> channelReporters = new LinkedHashMap<>();
    private final Deque<Double> sentHistory = new ArrayDeque<>();
    private final Deque<Double> receivedHistory = new ArrayDeque<>();
    private volatile Snapshot.Link linkView = Snapshot.Link.NONE;

    PeerEntry(Hub hub, Fabric fabric, PeerHost host, PeerStore store, PeerSession.Identity identity,
              java.util.function.Supplier<PeerSession.Config> config) {
        this.hub = hub;
        this.fabric = fabric;
        this.host = host;
        this.uuid = host.uuid();
        this.store = store;
        this.identity = identity;
        this.config = config;
        this.emulated = fabric.kind().equals("emulated");
        GstLender lender = new GstLender(hub.devices(), this::linkBytesPerSecond, hub.formatOptions());
        GstBorrower borrower = new GstBorrower(this::outputsFor);
        this.media = new MediaSessionHandler(this, lender, borrower);
        lender.onProblem(p -> hub.notice(Notice.warning("Lending to " + name() + ": " + p.message())));
        borrower.onProblem(this::onPlaybackProblem);
    }

    /**
     * A borrowed device's playback failed: nothing reaches this host's outputs any more, so the device goes back to
     * its owner, and the person hears why (no sound output, a missing plugin, a full disk...).
     */
    private void onPlaybackProblem(org.hopwire.gst.MediaProblem p) {
        boolean soundOutput = p.element().contains("audiosink") || p.element().contains("pulse")
                || p.element().contains("alsa");
        if (p.severity() != org.hopwire.gst.MediaProblem.Severity.ERROR) {
            // autoaudiosink warns for each sound server it cannot open before it settles: say it once, plainly.
            if (soundOutput && soundWarned.add(p.pipeline())) {
                hub.notice(Notice.warning("This host has no sound output Hopwire can open (PulseAudio, PipeWire or"
                        + " ALSA): sound borrowed from " + name() + " is received but not heard."));
            } else if (!soundOutput) {
                hub.notice(Notice.warning("Playing from " + name() + ": " + p.message()));
            }
            return;
        }
        int dash = p.pipeline().lastIndexOf('-');
        Playing failed = null;
        try {
            failed = playing.get(Integer.parseInt(p.pipeline().substring(dash + 1)));
        } catch (NumberFormatException | IndexOutOfBoundsException notABorrow) {
            // a pipeline that is not a borrow's
        }
        String why = soundOutput ? "this host has no sound output it can open (" + p.message() + ")"
                : p.element() + ": " + p.message();
        if (failed == null) {
            hub.notice(Notice.error("Playing from " + name() + " failed: " + why));
            return;
        }
        String device = failed.borrow().deviceId();
        hub.notice(Notice.error("Could not play " + failed.deviceName() + " from " + name() + ": " + why
                + ". Gave it back."));
        hub.runOnWorker(() -> giveBack(device));
    }

    void start(ControlMessage.Catalog catalog) {
        PeerLink l = new PeerLink(fabric, uuid, identity, store, media, config, s -> {
            linkState = s;
            hub.changed();
        }, media::attach);
        l.setCatalog(catalog);
        link = l;
    }

    /** Ends the link and starts a new one: after a forgotten pairing, or to pair again after a rejection. */
    void restart() {
        PeerLink old = link;
        old.close();
        playing.clear();
        start(hub.devices().toCatalog());
        hub.changed();
    }

    String name() {
        return host.deviceName();
    }

    /** The cable shows the peer (again): true when it was away. */
    boolean cableSeen(PeerHost p) {
        host = p;
        boolean back = !onCable;
        onCable = true;
        return back;
    }

    /** The peer left the cable: true when it was there. */
    boolean cableLost() {
        boolean was = onCable;
        onCable = false;
        return was;
    }

    long linkBytesPerSecond() {
        PeerHost h = host;
        int gbps = Math.min(h.rxGbps(), h.txGbps());
        return (long) (gbps * 1e9 / 8 * Hub.USABLE_SHARE);
    }

    private Outputs outputsFor(Borrow b) {
        Wanted w = wanted.get(b.deviceId());
        if (w != null) {
            return w.outputs();
        }
        return b.caps().startsWith("audio/") ? Outputs.SPEAKERS : Outputs.PREVIEW;
    }

    CompletableFuture<Borrow> borrow(String deviceId, Outputs outputs, String preferredCaps) {
        String name = deviceNameOnPeer(deviceId);
        wanted.put(deviceId, new Wanted(name, outputs));
        CompletableFuture<Borrow> f = link.borrow(deviceId, preferredCaps);
        hub.changed();
        return f.whenComplete((b, e) -> {
            if (e != null) {
                wanted.remove(deviceId);
                hub.changed();
            }
        });
    }

    void giveBack(String deviceId) {
        wanted.remove(deviceId);
        for (Map.Entry<Integer, Playing> p : playing.entrySet()) {
            if (p.getValue().borrow().deviceId().equals(deviceId)) {
                int channel = p.getKey();
                playing.remove(channel);
                link.giveBack(channel);
                media.borrower().onBorrowEnded(channel, ControlMessage.Stop.RETURNED);
            }
        }
        hub.changed();
    }

    private String deviceNameOnPeer(String deviceId) {
        PeerSession s = link == null ? null : link.session().orElse(null);
        if (s != null) {
            for (ControlMessage.Device d : s.peerCatalog().devices()) {
                if (d.id().equals(deviceId)) {
                    return d.name();
                }
            }
        }
        Wanted w = wanted.get(deviceId);
        return w != null ? w.deviceName() : deviceId;
    }

    // ---- the snapshot ------------------------------------------------------------------------------------------

    PeerState state() {
        if (!onCable) {
            return linkState == PeerLink.State.CLOSED ? PeerState.NOT_PAIRED : PeerState.OFFLINE;
        }
        return switch (linkState) {
            case READY -> PeerState.PAIRED;
            case PAIRING -> PeerState.PAIRING;
            case CLOSED -> PeerState.NOT_PAIRED;
            case SUSPENDED -> PeerState.OFFLINE;
            default -> PeerState.CONNECTING;
        };
    }

    Snapshot.Peer view() {
        PeerHost h = host;
        PeerState state = state();
        String detail = switch (state) {
            case NOT_PAIRED -> link.lastEnd().map(SessionEnd::message).orElse("");
            case OFFLINE -> onCable ? "reconnecting" : "not on the cable";
            case PAIRING -> pairingCode == null ? "waiting for the code" : "compare the code on both screens";
            default -> "";
        };
        List<Snapshot.Device> offered = new ArrayList<>();
        if (state == PeerState.PAIRED) {
            // The peer's entries read as this host's own devices do (Hub.view), marked test when they are.
            link.session().ifPresent(s -> s.peerCatalog().devices().forEach(d -> offered.add(Hub.view(
                    new org.hopwire.gst.device.MediaDevice(d.id(), d.kind(), d.name(), d.id().startsWith("test:"),
                            d.formats())))));
        }
        return new Snapshot.Peer(uuid, h.deviceName(), h.id(), onCable ? h.rxSpeedGbps() : 0, h.rxLanes(), state,
                detail, emulated, state == PeerState.PAIRING ? Optional.ofNullable(pairingCode) : Optional.empty(),
                List.copyOf(offered), linkView);
    }

    List<Snapshot.Lend> lendViews() {
        return media.lender().lends().stream().map(l -> new Snapshot.Lend(uuid, name(), l.channel(), l.deviceId(),
                hub.deviceName(l.deviceId()), l.choice().describe())).toList();
    }

    List<Snapshot.Borrowed> borrowViews() {
        List<Snapshot.Borrowed> result = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        playing.forEach((ch, p) -> {
            shown.add(p.borrow().deviceId());
            result.add(new Snapshot.Borrowed(uuid, name(), ch, p.borrow().deviceId(), p.deviceName(),
                    p.borrow().caps(), describe(outputsFor(p.borrow()))));
        });
        wanted.forEach((id, w) -> {
            if (!shown.contains(id)) {
                result.add(new Snapshot.Borrowed(uuid, name(), -1, id, w.deviceName(), "", describe(w.outputs())));
            }
        });
        return result;
    }

    static String describe(Outputs o) {
        List<String> parts = new ArrayList<>();
        if (o.preview()) {
            parts.add("preview");
        }
        o.virtualWebcam().ifPresent(p -> parts.add("virtual webcam " + p));
        o.recording().ifPresent(p -> parts.add("recording to " + p));
        if (o.speakers()) {
            parts.add("speakers");
        }
        return String.join(", ", parts);
    }

    /** Closes the last half second's window of every counter; on the hub's ticker. */
    void sample() {
        PeerSession s = link == null ? null : link.session().orElse(null);
        if (s != sampledSession) {
            sampledSession = s;
            channelReporters.clear();
            sentReporter = s == null ? null : primed(new StatsReporter(s.dataStreamSent()));
            receivedReporter = s == null ? null : primed(new StatsReporter(s.dataStreamReceived()));
        }
        push(sentHistory, sentReporter == null ? 0 : sentReporter.sample().bytesPerSecond());
        push(receivedHistory, receivedReporter == null ? 0 : receivedReporter.sample().bytesPerSecond());
        List<Snapshot.ChannelRate> channels = new ArrayList<>();
        if (s != null) {
            for (Map.Entry<Integer, String> lend : s.lending().entrySet()) {
                channels.add(rate("out" + lend.getKey(), hub.deviceName(lend.getValue()), true,
                        s.sentStats(lend.getKey())));
            }
            for (Borrow b : s.borrowing()) {
                channels.add(rate("in" + b.channel(), deviceNameOnPeer(b.deviceId()), false,
                        s.receivedStats(b.channel())));
            }
            List<String> live = new ArrayList<>();
            s.lending().keySet().forEach(ch -> live.add("out" + ch));
            s.borrowing().forEach(b -> live.add("in" + b.channel()));
            channelReporters.keySet().retainAll(live);
        }
        linkView = new Snapshot.Link(List.copyOf(sentHistory), List.copyOf(receivedHistory), List.copyOf(channels),
                s == null ? -1 : s.roundTrip().map(d -> d.toNanos() / 1000).orElse(-1L),
                s == null ? Optional.empty() : s.dataProtection());
    }

    private Snapshot.ChannelRate rate(String key, String device, boolean out, ChannelStats stats) {
        StatsReporter r = channelReporters.computeIfAbsent(key, k -> primed(new StatsReporter(stats)));
        StatsReporter.Rate now = r.sample();
        return new Snapshot.ChannelRate(device, out, now.bytesPerSecond(), now.framesPerSecond(), stats.drops(),
                now.latencyP50Us(), now.latencyP99Us());
    }

    /** A reporter whose first window starts now: counters a session had before the reporter are not a rate. */
    private static StatsReporter primed(StatsReporter r) {
        r.sample();
        return r;
    }

    private static void push(Deque<Double> history, double value) {
        if (history.size() == Hub.HISTORY_SAMPLES) {
            history.removeFirst();
        }
        history.addLast(value);
    }

    void close() {
        PeerLink l = link;
        if (l != null) {
            l.close();
        }
        media.lender().close();
        media.borrower().close();
    }

    // ---- the session's questions and news ----------------------------------------------------------------------

    @Override
    public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
        pairingCode = code;
        hub.changed();
        return hub.answerOnWorker(hub.asker().confirmPairing(name(), uuid, code)).whenComplete((ok, e) -> {
            pairingCode = null;
            if (!Boolean.TRUE.equals(ok)) {
                hub.notice(Notice.warning("Pairing with " + name() + " rejected on this host."));
            }
            hub.changed();
        });
    }

    @Override
    public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
        String device = hub.deviceName(deviceId);
        if (hub.settings().consent() == Settings.ConsentDefault.DENY) {
            hub.notice(Notice.warning(name() + " asked for " + device + ": refused without asking (Settings)."));
            return CompletableFuture.completedFuture(Consent.DENY);
        }
        return hub.answerOnWorker(hub.asker().askConsent(name(), uuid, deviceId, device)).whenComplete((answer, e) -> {
            if (answer == null || answer == Consent.DENY) {
                hub.notice(Notice.info("Refused " + device + " to " + name() + "."));
            }
        });
    }

    @Override
    public CompletionStage<Boolean> acceptOffer(PeerInfo peer, String deviceId) {
        String device = deviceNameOnPeer(deviceId);
        return hub.answerOnWorker(hub.asker().acceptOffer(name(), uuid, device)).thenApply(yes -> {
            if (Boolean.TRUE.equals(yes)) {
                wanted.putIfAbsent(deviceId, new Wanted(device, Outputs.PREVIEW));
            }
            return yes;
        });
    }

    @Override
    public void onOfferDeclined(String deviceId) {
        hub.notice(Notice.info(name() + " declined " + hub.deviceName(deviceId) + "."));
        hub.offerDeclined(uuid, deviceId);
    }

    @Override
    public void onLendStarted(int channel, String deviceId) {
        hub.notice(Notice.info(hub.deviceName(deviceId) + " is now in use by " + name() + "."));
        hub.changed();
    }

    @Override
    public void onLendEnded(int channel, int reason) {
        hub.notice(Notice.info(name() + (reason == ControlMessage.Stop.REVOKED ? ": lend revoked."
                : reason == ControlMessage.Stop.RETURNED ? " gave a device back." : ": a lend ended.")));
        hub.changed();
    }

    @Override
    public void onBorrowStarted(Borrow borrow) {
        if (media.borrower().playback(borrow.channel()).isEmpty()) {
            // The borrower could not start playing it and gave it back (its problem is a notice already): nothing
            // is borrowed, and the link must not ask for it again after a reconnect.
            wanted.remove(borrow.deviceId());
            link.giveBack(borrow.channel());
            hub.changed();
            return;
        }
        playing.put(borrow.channel(), new Playing(borrow, deviceNameOnPeer(borrow.deviceId())));
        hub.changed();
    }

    @Override
    public void onCapsChanged(Borrow borrow) {
        playing.computeIfPresent(borrow.channel(), (ch, p) -> new Playing(borrow, p.deviceName()));
        hub.changed();
    }

    @Override
    public void onBorrowEnded(int channel, int reason) {
        Playing p = playing.remove(channel);
        String device = p == null ? "a device" : p.deviceName();
        boolean sessionEnding = link.session().map(s -> s.state() == PeerSession.State.CLOSED).orElse(true);
        if (sessionEnding && reason == ControlMessage.Stop.FAILED) {
            // The session is going (cable pulled): the link asks again when it is back, and onClosed says so.
            hub.changed();
            return;
        }
        if (p != null && reason != ControlMessage.Stop.RETURNED) {
            wanted.remove(p.borrow().deviceId());
        }
        switch (reason) {
            case ControlMessage.Stop.REVOKED -> hub.notice(Notice.warning(name() + " took " + device + " back."));
            case ControlMessage.Stop.DEVICE_GONE -> hub.notice(Notice.warning(device + " is gone on " + name()
                    + " (unplugged or failed)."));
            case ControlMessage.Stop.FAILED -> hub.notice(Notice.error(device + " failed on " + name() + "."));
            default -> {
            }
        }
        hub.changed();
    }

    @Override
    public void onCatalog(ControlMessage.Catalog catalog) {
        hub.changed();
    }

    @Override
    public void onPeerError(ProtocolError error, String text) {
        hub.notice(Notice.warning(name() + ": " + text));
    }

    @Override
    public void onStateChanged(PeerSession.State state) {
        if (state == PeerSession.State.READY) {
            hub.notice(Notice.info("Connected to " + name() + "."));
        }
        hub.changed();
    }

    @Override
    public void onClosed(SessionEnd end) {
        playing.clear();
        pairingCode = null;
        hub.asker().withdraw(uuid);
        if (!hub.isClosed()) {
            switch (end.reason()) {
                case LINK_DOWN, PEER_CLOSED -> {
                    // A peer that left the cable was announced already; a session lost on a live cable is news.
                    if (onCable || !wanted.isEmpty()) {
                        hub.notice(Notice.warning("Lost the session with " + name() + ": Hopwire reconnects by"
                                + " itself" + (wanted.isEmpty() ? "." : " and asks again for what it borrowed.")
                                + " (" + end.message() + ")"));
                    }
                }
                case LOCAL_CLOSE -> {
                }
                default -> hub.notice(Notice.error("The session with " + name() + " ended: " + end.message()));
            }
        }
        hub.changed();
    }
}
