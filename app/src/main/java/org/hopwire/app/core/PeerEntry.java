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

import org.hopwire.app.text.Text;
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
    private static final System.Logger LOG = System.getLogger(PeerEntry.class.getName());
    /** A device the person wants from this peer, and where its pictures go. */
    private record Wanted(String deviceName, Outputs outputs) {
    }

    /** @param failed set once its playback's failure was told and the borrow given back (once, whichever path) */
    private record Playing(Borrow borrow, String deviceName, java.util.concurrent.atomic.AtomicBoolean failed) {
        Playing(Borrow borrow, String deviceName) {
            this(borrow, deviceName, new java.util.concurrent.atomic.AtomicBoolean());
        }
    }

    /** A borrow's recording, announced when it started, to announce its end. */
    private record Recording(java.nio.file.Path file, String deviceName, java.time.Instant started) {
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
    /** The recordings running now, by channel. */
    private final Map<Integer, Recording> recordings = new ConcurrentHashMap<>();
    private final java.util.Set<String> soundWarned = ConcurrentHashMap.newKeySet();
    /** This host's device on each channel it lends the peer now, to name it when the lend ends. */
    private final Map<Integer, String> lentDevice = new ConcurrentHashMap<>();
    /** Wanted devices the link no longer asks for, and for how many samples: pruned after a few (the ticker's). */
    private final Map<String, Integer> unwantedSamples = new LinkedHashMap<>();
    private static final int UNWANTED_SAMPLES = 4;

    // The link panel's figures; the ticker alone touches them, the snapshot reads the published copy.
    private PeerSession sampledSession;
    private StatsReporter sentReporter;
    private StatsReporter receivedReporter;
    private final Map<String, StatsReporter> channelReporters = new LinkedHashMap<>();
    private final Deque<Double> sentHistory = new ArrayDeque<>();
    private final Deque<Double> receivedHistory = new ArrayDeque<>();
    private volatile Snapshot.Link linkView = Snapshot.Link.NONE;
    /** Per borrowed channel: the received frame count last seen and when it last moved; the ticker's alone. */
    private final Map<Integer, long[]> frameProgress = new LinkedHashMap<>();
    /** The borrowed channels with no frame for {@link Hub#STALL_MS}: for how long, in ms; published by the ticker. */
    private volatile Map<Integer, Long> stalledMs = Map.of();
    /** Channels a new borrow started on: their frame count is followed afresh (session threads add, ticker takes). */
    private final java.util.Queue<Integer> restartedChannels = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The peer's last error report and when it came (System.nanoTime), the likely reason of a stall. */
    private volatile String lastPeerError = "";
    private volatile long lastPeerErrorNs;

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
        GstLender lender = new GstLender(hub.devices(), this::linkBytesPerSecond, hub.formatOptions(),
                hub.captures());
        GstBorrower borrower = new GstBorrower(this::outputsFor);
        this.media = new MediaSessionHandler(this, lender, borrower);
        lender.onProblem(p -> hub.notice(Notice.warning(Text.tr("notice.lend.problem.unknown", name(),
                p.message()))));
        borrower.onProblem(this::onPlaybackProblem);
    }

    /**
     * A borrowed device's playback failed: nothing reaches this host's outputs any more, so the device goes back to
     * its owner, and the person hears why (no sound output, a missing plugin, a full disk...).
     */
    private void onPlaybackProblem(org.hopwire.gst.MediaProblem p) {
        boolean soundOutput = soundOutput(p);
        if (p.severity() != org.hopwire.gst.MediaProblem.Severity.ERROR) {
            // autoaudiosink warns for each sound server it cannot open before it settles: say it once, plainly.
            if (soundOutput && soundWarned.add(p.pipeline())) {
                hub.notice(Notice.warning(Text.tr("notice.no.sound.output", name())));
            } else if (!soundOutput) {
                hub.notice(Notice.warning(Text.tr("notice.play.problem", name(), p.message())));
            }
            return;
        }
        int channel = channelOf(p.pipeline());
        Playing failed = channel < 0 ? null : playing.get(channel);
        // The element's name stays in the log: people read what GStreamer says went wrong.
        LOG.log(System.Logger.Level.WARNING, "playback from " + name() + " failed in " + p.element() + ": "
                + p.message());
        String why = whyPlaybackFailed(p);
        if (failed == null) {
            if (channel >= 0) {
                // A borrow's playback that is not in this entry: failing while it starts (a recording's file that
                // cannot be written), whose failure onBorrowStarted finds in the playback and tells, or one that
                // ended already (nothing to tell: logged above).
                return;
            }
            hub.notice(Notice.error(Text.tr("notice.play.failed", name(), why)));
            return;
        }
        playbackFailed(failed, why);
    }

    private static boolean soundOutput(org.hopwire.gst.MediaProblem p) {
        return p.element().contains("audiosink") || p.element().contains("pulse") || p.element().contains("alsa");
    }

    private static String whyPlaybackFailed(org.hopwire.gst.MediaProblem p) {
        return soundOutput(p) ? Text.tr("notice.play.no.sound.output") : p.message();
    }

    /** Tells the person a borrow's playback failed and gives the device back, once per borrow. */
    private void playbackFailed(Playing failed, String why) {
        if (!failed.failed().compareAndSet(false, true)) {
            return;
        }
        String device = failed.borrow().deviceId();
        hub.notice(Notice.error(Text.tr("notice.play.failed.returned", failed.deviceName(), name(), why)));
        hub.runOnWorker(() -> giveBack(device));
    }

    /** The channel a borrow's pipeline is named after ("borrow-test:camera-3", "recording-borrow-..."), or -1. */
    private static int channelOf(String pipeline) {
        int dash = pipeline.lastIndexOf('-');
        try {
            return Integer.parseInt(pipeline.substring(dash + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException notABorrow) {
            return -1;
        }
    }

    void start(ControlMessage.Catalog catalog) {
        PeerLink l = new PeerLink(fabric, uuid, identity, store, media, config, s -> {
            linkState = s;
            hub.changed();
        }, media::attach);
        l.setCatalog(catalog);
        link = l;
    }

    /**
     * Ends the link and starts a new one: after a forgotten pairing, or to pair again after a rejection. What this
     * host borrowed is given up, said in a notice ({@code clearedKey}: device, peer): the new pairing starts with no
     * trust, so nothing is asked for behind the person's back, and no row waits for a peer that is back.
     */
    void restart(String clearedKey) {
        PeerLink old = link;
        old.close();
        playing.clear();
        for (Map.Entry<String, Wanted> w : Map.copyOf(wanted).entrySet()) {
            wanted.remove(w.getKey());
            hub.notice(Notice.info(Text.tr(clearedKey, w.getValue().deviceName(), name())));
        }
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
        if (b.grouped() && b.isAudio()) {
            // A capture card's sound goes to the speakers (and its level to the preview); the outputs asked for are
            // its pictures'. Its recording holds the pictures only: two recordings would write one file.
            return Outputs.SPEAKERS;
        }
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
                recordingStopped(channel);
            }
        }
        hub.changed();
    }

    /** A device the peer offers now, as its catalog lists it. */
    Optional<org.hopwire.gst.device.MediaDevice> peerDevice(String deviceId) {
        PeerSession s = link == null ? null : link.session().orElse(null);
        if (s == null) {
            return Optional.empty();
        }
        return s.peerCatalog().devices().stream().filter(d -> d.id().equals(deviceId)).findFirst()
                .map(d -> new org.hopwire.gst.device.MediaDevice(d.id(), d.kind(), d.name(),
                        d.id().startsWith("test:"), d.formats()));
    }

    /** See {@link Hub#changeFormat}. */
    CompletableFuture<Borrow> changeFormat(String deviceId, String caps) {
        Integer channel = playing.entrySet().stream().filter(p -> p.getValue().borrow().deviceId().equals(deviceId))
                .map(Map.Entry::getKey).findFirst().orElse(null);
        String device = deviceNameOnPeer(deviceId);
        if (channel == null) {
            return CompletableFuture.failedFuture(new ActionRefused(Text.tr("why.format.not.borrowed", device,
                    name())));
        }
        if (link.session().isEmpty()) {
            return CompletableFuture.failedFuture(new ActionRefused(Text.tr("why.not.connected", name())));
        }
        try {
            // Through the link: a resume after the cable comes back asks for this format, not the first one.
            return link.requestFormat(channel, caps).orTimeout(Hub.FORMAT_ANSWER_MS,
                    java.util.concurrent.TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
                        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause() : e;
                        // An owner older than 3.1 skips the request: silence is all this host gets.
                        return CompletableFuture.failedFuture(cause instanceof java.util.concurrent.TimeoutException
                                ? new ActionRefused(Text.tr("why.format.no.answer", name())) : cause);
                    });
        } catch (org.hopwire.engine.session.SessionException e) {
            return CompletableFuture.failedFuture(new ActionRefused(e.getMessage()));
        }
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
            case NOT_PAIRED -> link.lastEnd().map(this::words).orElse("");
            case OFFLINE -> Text.tr(onCable ? "peer.detail.reconnecting" : "peer.detail.off.cable");
            case PAIRING -> Text.tr(pairingCode == null ? "peer.detail.waiting.code" : "peer.detail.compare.code");
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
        Map<Integer, Long> stalls = stalledMs;
        playing.forEach((ch, p) -> {
            shown.add(p.borrow().deviceId());
            Long stalledFor = stalls.get(ch);
            result.add(new Snapshot.Borrowed(uuid, name(), ch, p.borrow().deviceId(), p.deviceName(),
                    p.borrow().caps(), describe(outputsFor(p.borrow())), stalledFor != null,
                    stalledFor == null ? 0 : (int) (stalledFor / 1000), stalledFor == null ? "" : stallReason(
                            stalledFor)));
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
            parts.add(Text.tr("borrow.output.preview"));
        }
        o.virtualWebcam().ifPresent(p -> parts.add(Text.tr("borrow.output.webcam", p.toString())));
        o.recording().ifPresent(p -> parts.add(Text.tr("borrow.output.recording", p.toString())));
        if (o.speakers()) {
            parts.add(Text.tr("borrow.output.speakers"));
        }
        o.virtualMicrophone().ifPresent(n -> parts.add(Text.tr("borrow.output.mic",
                org.hopwire.gst.playback.VirtualMicrophone.label(n))));
        o.pipewireCamera().ifPresent(n -> parts.add(Text.tr("borrow.output.pipewire.camera",
                org.hopwire.gst.playback.VirtualMicrophone.label(n))));
        return String.join(", ", parts);
    }

    /** Why a borrow stalled for {@code stalledForMs}, when known: the cable, or what the owner reported since. */
    private String stallReason(long stalledForMs) {
        if (!onCable) {
            return Text.tr("borrow.stalled.reason.cable", name());
        }
        long since = System.nanoTime() - lastPeerErrorNs;
        if (lastPeerErrorNs != 0 && since <= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(stalledForMs
                + Hub.STALL_MS)) {
            return Text.tr("borrow.stalled.reason.peer", name(), lastPeerError);
        }
        return "";
    }

    /**
     * Follows each borrowed channel's received frame counter: one that has not moved for {@link Hub#STALL_MS} (also
     * when the first frame never came) is stalled until frames come again. On the hub's ticker.
     */
    private void sampleStalls(PeerSession s) {
        long now = System.nanoTime();
        Map<Integer, Long> stalls = new LinkedHashMap<>();
        for (Integer ch; (ch = restartedChannels.poll()) != null; ) {
            frameProgress.remove(ch);
        }
        frameProgress.keySet().retainAll(s == null ? List.of() : playing.keySet());
        if (s != null) {
            for (Integer ch : playing.keySet()) {
                long frames = s.receivedStats(ch).frames();
                long[] seen = frameProgress.get(ch);
                if (seen == null || seen[0] != frames) {
                    frameProgress.put(ch, new long[] {frames, now});
                    continue;
                }
                long quietMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(now - seen[1]);
                if (quietMs >= Hub.STALL_MS) {
                    stalls.put(ch, quietMs);
                }
            }
        }
        stalledMs = Map.copyOf(stalls);
    }

    /** Closes the last half second's window of every counter; on the hub's ticker. */
    void sample() {
        PeerSession s = link == null ? null : link.session().orElse(null);
        if (s != sampledSession) {
            sampledSession = s;
            frameProgress.clear();
            channelReporters.clear();
            sentReporter = s == null ? null : primed(new StatsReporter(s.dataStreamSent()));
            receivedReporter = s == null ? null : primed(new StatsReporter(s.dataStreamReceived()));
        }
        sampleStalls(s);
        pruneUnwanted(s);
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
                s == null ? Optional.empty() : s.dataProtection(), avOffsets(s));
    }

    /** The A/V offset of each capture card borrowed (by its pictures' channel), as its borrower measures it. */
    private List<Snapshot.AvOffset> avOffsets(PeerSession s) {
        if (s == null) {
            return List.of();
        }
        List<Snapshot.AvOffset> out = new ArrayList<>();
        for (Borrow b : s.borrowing()) {
            if (b.grouped() && !b.isAudio()) {
                media.borrower().avSync(b.channel()).ifPresent(sync -> {
                    org.hopwire.gst.playback.AvSync.Figures f = sync.figures();
                    out.add(new Snapshot.AvOffset(deviceNameOnPeer(b.deviceId()),
                            Math.min(f.pairs(), org.hopwire.gst.playback.AvSync.KEPT), f.medianMs(),
                            f.p95AbsMs()));
                });
            }
        }
        return List.copyOf(out);
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

    /** Why a session ended, in people's words (the engine's own sentence goes to the log). */
    private String words(SessionEnd end) {
        return switch (end.reason()) {
            case LINK_DOWN -> Text.tr("end.link.down");
            case PEER_CLOSED -> Text.tr("end.peer.closed", name());
            case LOCAL_CLOSE -> Text.tr("end.local.close");
            case INCOMPATIBLE_VERSION -> Text.tr("end.incompatible", name());
            case PAIRING_REJECTED -> Text.tr("end.pairing.rejected");
            case AUTH_FAILED -> Text.tr("end.auth.failed", name());
            case PROTOCOL_ERROR -> Text.tr("end.protocol.error", name());
        };
    }

    /**
     * Drops what this host waits to borrow but the link no longer asks for (the owner refused it when the link asked
     * again after a reconnection): no row may wait for a peer that is back. Only on a ready link, and after a few
     * samples, so a borrow being asked for or an offer just accepted is not taken for one. On the hub's ticker.
     */
    private void pruneUnwanted(PeerSession s) {
        if (s == null || s.state() != PeerSession.State.READY) {
            unwantedSamples.clear();
            return;
        }
        java.util.Set<String> asked = link.wanted();
        java.util.Set<String> live = new java.util.HashSet<>();
        playing.values().forEach(p -> live.add(p.borrow().deviceId()));
        unwantedSamples.keySet().retainAll(wanted.keySet());
        for (Map.Entry<String, Wanted> w : Map.copyOf(wanted).entrySet()) {
            if (asked.contains(w.getKey()) || live.contains(w.getKey())) {
                unwantedSamples.remove(w.getKey());
            } else if (unwantedSamples.merge(w.getKey(), 1, Integer::sum) >= UNWANTED_SAMPLES) {
                unwantedSamples.remove(w.getKey());
                if (wanted.remove(w.getKey(), w.getValue())) {
                    hub.notice(Notice.info(Text.tr("notice.borrow.not.resumed", w.getValue().deviceName(), name())));
                }
            }
        }
    }

    // ---- the session's questions and news ----------------------------------------------------------------------

    @Override
    public CompletionStage<Boolean> confirmPairing(PeerInfo peer, String code) {
        pairingCode = code;
        hub.changed();
        return hub.answerOnWorker(hub.asker().confirmPairing(name(), uuid, code)).whenComplete((ok, e) -> {
            pairingCode = null;
            if (!Boolean.TRUE.equals(ok)) {
                hub.notice(Notice.warning(Text.tr("notice.pairing.rejected.here", name())));
            }
            hub.changed();
        });
    }

    @Override
    public CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
        String device = hub.deviceName(deviceId);
        if (hub.settings().consent() == Settings.ConsentDefault.DENY) {
            hub.notice(Notice.warning(Text.tr("notice.consent.refused.by.settings", device, name())));
            return CompletableFuture.completedFuture(Consent.DENY);
        }
        return hub.answerOnWorker(hub.asker().askConsent(name(), uuid, deviceId, device)).whenComplete((answer, e) -> {
            if (answer == null || answer == Consent.DENY) {
                hub.notice(Notice.info(Text.tr("notice.consent.refused", device, name())));
            }
        });
    }

    @Override
    public CompletionStage<SessionHandler.ConsentAnswer> askConsentWithControls(PeerInfo peer, String deviceId) {
        String device = hub.deviceName(deviceId);
        if (hub.settings().consent() == Settings.ConsentDefault.DENY) {
            hub.notice(Notice.warning(Text.tr("notice.consent.refused.by.settings", device, name())));
            return CompletableFuture.completedFuture(new SessionHandler.ConsentAnswer(Consent.DENY, false));
        }
        return hub.answerOnWorker(hub.asker().askConsentWithControls(name(), uuid, deviceId, device))
                .whenComplete((answer, e) -> {
                    if (answer == null || answer.consent() == Consent.DENY) {
                        hub.notice(Notice.info(Text.tr("notice.consent.refused", device, name())));
                    }
                });
    }

    @Override
    public CompletionStage<Boolean> askControl(PeerInfo peer, String deviceId) {
        String device = hub.deviceName(deviceId);
        return hub.answerOnWorker(hub.asker().askControl(name(), uuid, deviceId, device)).whenComplete((yes, e) -> {
            if (!Boolean.TRUE.equals(yes)) {
                hub.notice(Notice.info(Text.tr("notice.control.refused", device, name())));
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
        hub.notice(Notice.info(Text.tr("notice.offer.declined", hub.deviceName(deviceId), name())));
        hub.offerDeclined(uuid, deviceId);
    }

    @Override
    public void onLendStarted(int channel, String deviceId) {
        lentDevice.put(channel, deviceId);
        hub.notice(Notice.info(Text.tr("notice.lend.started", hub.deviceName(deviceId), name())));
        hub.changed();
    }

    @Override
    public void onLendEnded(int channel, int reason) {
        String id = lentDevice.remove(channel);
        String device = id == null ? Text.tr("device.unknown") : hub.deviceName(id);
        hub.notice(Notice.info(Text.tr(reason == ControlMessage.Stop.REVOKED ? "notice.lend.revoked"
                : reason == ControlMessage.Stop.RETURNED ? "notice.lend.returned" : "notice.lend.ended", device,
                name())));
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
        restartedChannels.add(borrow.channel());
        String device = deviceNameOnPeer(borrow.deviceId());
        Playing now = new Playing(borrow, device);
        playing.put(borrow.channel(), now);
        outputsFor(borrow).recording().ifPresent(file -> {
            recordings.put(borrow.channel(), new Recording(file, device, java.time.Instant.now()));
            hub.notice(Notice.info(Text.tr("notice.recording.started", device, name(),
                    file.getFileName().toString(), Recordings.shown(file.getParent()))));
        });
        hub.changed();
        // A failure while the playback started came before this borrow was known here: told now.
        media.borrower().playback(borrow.channel()).flatMap(org.hopwire.gst.playback.Playback::lastProblem)
                .filter(p -> p.severity() == org.hopwire.gst.MediaProblem.Severity.ERROR)
                .ifPresent(p -> playbackFailed(now, whyPlaybackFailed(p)));
    }

    /**
     * Says a borrow's recording ended, with its length and size; called once its playback has closed (the file is
     * finished then). Nothing for a borrow that did not record.
     */
    private void recordingStopped(int channel) {
        Recording r = recordings.remove(channel);
        if (r == null) {
            return;
        }
        String name = r.file().getFileName().toString();
        String length = Recordings.length(java.time.Duration.between(r.started(), java.time.Instant.now()));
        String text;
        try {
            text = Text.tr("notice.recording.stopped", r.deviceName(), name, length,
                    Recordings.size(java.nio.file.Files.size(r.file())));
        } catch (java.io.IOException e) {
            text = Text.tr("notice.recording.stopped.missing", r.deviceName(), r.file().toString());
        }
        hub.notice(Notice.info(text));
    }

    @Override
    public void onCapsChanged(Borrow borrow) {
        playing.computeIfPresent(borrow.channel(), (ch, p) -> new Playing(borrow, p.deviceName(), p.failed()));
        hub.changed();
    }

    @Override
    public void onBorrowEnded(int channel, int reason) {
        Playing p = playing.remove(channel);
        recordingStopped(channel); // the borrower closed its playback before this
        String device = p == null ? Text.tr("device.unknown") : p.deviceName();
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
            case ControlMessage.Stop.REVOKED -> hub.notice(Notice.warning(Text.tr("notice.borrow.revoked", device,
                    name())));
            case ControlMessage.Stop.DEVICE_GONE -> hub.notice(Notice.warning(Text.tr("notice.borrow.gone", device,
                    name())));
            case ControlMessage.Stop.FAILED -> hub.notice(Notice.error(Text.tr("notice.borrow.failed", device,
                    name())));
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
        lastPeerError = text;
        lastPeerErrorNs = System.nanoTime();
        // The peer's own words name hosts as it sees them (this host by its machine name): they go to the log, and
        // people read a sentence of ours. A refusal's reason comes with the refused borrow's answer, not here.
        LOG.log(System.Logger.Level.INFO, name() + " reported " + error + ": " + text);
        String key = switch (error) {
            case NOT_ALLOWED -> "notice.peer.refused";
            case MALFORMED -> "notice.peer.unreadable";
            case INTERNAL -> "notice.peer.trouble";
            default -> null;
        };
        if (key != null) {
            hub.notice(Notice.warning(Text.tr(key, name())));
        }
    }

    @Override
    public void onStateChanged(PeerSession.State state) {
        if (state == PeerSession.State.READY) {
            hub.notice(Notice.info(Text.tr("notice.connected", name())));
        }
        hub.changed();
    }

    @Override
    public void onClosed(SessionEnd end) {
        playing.clear();
        List.copyOf(recordings.keySet()).forEach(this::recordingStopped); // the borrower closed them before this
        lentDevice.clear();
        pairingCode = null;
        hub.asker().withdraw(uuid);
        LOG.log(System.Logger.Level.INFO, "session with " + name() + " ended: " + end.reason() + ": "
                + end.message());
        if (!hub.isClosed()) {
            switch (end.reason()) {
                case LINK_DOWN, PEER_CLOSED -> {
                    // A peer that left the cable was announced already; a session lost on a live cable is news.
                    // A session that never became ready (a pairing the peer restarted, as after Forget) lost
                    // nothing a person had: the card shows where the pairing is.
                    boolean wasReady = link.session().map(PeerSession::wasReady).orElse(true);
                    if (wasReady && (onCable || !wanted.isEmpty())) {
                        hub.notice(Notice.warning(Text.tr(wanted.isEmpty() ? "notice.connection.lost"
                                : "notice.connection.lost.borrows", name(), words(end))));
                    }
                }
                case LOCAL_CLOSE -> {
                }
                default -> hub.notice(Notice.error(Text.tr("notice.connection.ended", name(), words(end))));
            }
        }
        hub.changed();
    }
}
