package org.hopwire.engine.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.protocol.ChannelException;
import org.hopwire.engine.protocol.ControlCodec;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlSeal;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.DataStreamDecoder;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.protocol.ProtocolException;
import org.hopwire.engine.trust.PairedPeer;
import org.hopwire.engine.trust.PeerStore;

/**
 * One Hopwire session with one peer, over its control and data streams (docs/protocol.md, sections 5 to 9):
 * hello, pairing or authentication, then catalogs, borrowing and lending with consent, heartbeats.
 *
 * <p>One thread reads each stream and one writes each; everything else talks to the writers through bounded
 * queues. Nothing is lent without the owner's consent, and an unpaired or unproven peer sees nothing.
 */
public final class PeerSession implements AutoCloseable {
    /**
     * 3: pairing commits before it reveals, every message after authentication carries a MAC, frames are sealed, and
     * STOP says whose channel it ends (docs/protocol.md, Versions).
     */
    public static final int PROTOCOL_MAJOR = 3;
    /**
     * 1: the borrower can ask for another format mid-stream ({@code FORMAT_REQUEST}) and adjust a lent device's
     * controls ({@code CONTROL_SET}, {@code CONTROL_STATE}, {@code CONTROL_ACCESS}); 2: capture cards, lent as one
     * borrow over two channels; 3: data frames sealed in segments, each opened as it lands (docs/protocol.md, 6.3).
     */
    public static final int PROTOCOL_MINOR = 3;
    private static final System.Logger LOG = System.getLogger(PeerSession.class.getName());

    /** Where a session is; the GUI shows it. */
    public enum State { CONNECTING, PAIRING, AUTHENTICATING, READY, CLOSED }

    /**
     * This host as the peer will see it.
     *
     * @param uuid        this host's UUID (its router's {@code unique_id})
     * @param hostName    the name to show the peer
     * @param appVersion  Hopwire's version
     */
    public record Identity(UUID uuid, String hostName, String appVersion) {
        /** The same host as a peer in another domain knows it. */
        public Identity withUuid(UUID other) {
            return new Identity(other, hostName, appVersion);
        }
    }

    /**
     * Session settings; {@link #DEFAULT} says how each was chosen.
     *
     * @param protocolMajor      the major version spoken (tests change it to meet an incompatible peer)
     * @param protocolMinor      the minor version spoken (tests lower it to meet an older peer)
     * @param heartbeatInterval  500 ms: a person sees a dead peer within a couple of seconds
     * @param silenceLimit       3 s without any control message ends the session: six missed heartbeats
     * @param handshakeTimeout   5 s for the peer's HELLO: it follows the streams once their announcement arrives
     *                           (up to ~1.2 s on the driver), then opens them; past this the streams are not trusted
     * @param helloRepeat        100 ms: HELLO is sent again this often until the peer's arrives, since bytes written
     *                           before the peer opened its end may be lost
     * @param goodbyeWait        1 s for the peer's answering GOODBYE before the streams are closed anyway
     * @param videoQueueFrames   8 frames (a quarter second at 30 fps) before video drops its oldest non-key frame
     * @param audioQueueFrames   64 packets (about 0.6 s of 10 ms packets) before audio drops its oldest
     * @param writeBatchBytes    1 MiB: large writes use the link well (kernel interface page)
     * @param crc                CRC32C on every frame that is not sealed: cheap next to a copy, and catches a broken
     *                           path at once
     * @param limits             reassembly bounds of the data stream
     * @param protection         what this host wants on the data stream; the stronger of both hosts' wishes applies.
     *                           Encrypted by default: AES-128-GCM kept the 40 Gb/s preset's full rate in the session
     *                           benchmark on two cores (engine/README.md, "Benchmarks")
     */
    public record Config(int protocolMajor, int protocolMinor, Duration heartbeatInterval, Duration silenceLimit,
                         Duration handshakeTimeout, Duration helloRepeat, Duration goodbyeWait, int videoQueueFrames,
                         int audioQueueFrames, int writeBatchBytes, boolean crc, DataStreamDecoder.Limits limits,
                         FrameSeal.Protection protection) {
        public static final Config DEFAULT = new Config(PROTOCOL_MAJOR, PROTOCOL_MINOR, Duration.ofMillis(500),
                Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1), 8, 64,
                1 << 20, true, DataStreamDecoder.Limits.DEFAULT, FrameSeal.Protection.ENCRYPTED);

        public Config withProtocolMajor(int major) {
            return new Config(major, protocolMinor, heartbeatInterval, silenceLimit, handshakeTimeout, helloRepeat,
                    goodbyeWait, videoQueueFrames, audioQueueFrames, writeBatchBytes, crc, limits, protection);
        }

        public Config withProtocolMinor(int minor) {
            return new Config(protocolMajor, minor, heartbeatInterval, silenceLimit, handshakeTimeout, helloRepeat,
                    goodbyeWait, videoQueueFrames, audioQueueFrames, writeBatchBytes, crc, limits, protection);
        }

        public Config withQueues(int video, int audio) {
            return new Config(protocolMajor, protocolMinor, heartbeatInterval, silenceLimit, handshakeTimeout,
                    helloRepeat, goodbyeWait, video, audio, writeBatchBytes, crc, limits, protection);
        }

        public Config withHandshakeTimeout(Duration timeout) {
            return new Config(protocolMajor, protocolMinor, heartbeatInterval, silenceLimit, timeout, helloRepeat,
                    goodbyeWait, videoQueueFrames, audioQueueFrames, writeBatchBytes, crc, limits, protection);
        }

        public Config withProtection(FrameSeal.Protection p) {
            return new Config(protocolMajor, protocolMinor, heartbeatInterval, silenceLimit, handshakeTimeout,
                    helloRepeat, goodbyeWait, videoQueueFrames, audioQueueFrames, writeBatchBytes, crc, limits, p);
        }
    }

    private final Config config;
    private final Identity local;
    private final PeerInfo cablePeer;
    private final StreamChannel control;
    private final StreamChannel data;
    private final PeerStore store;
    private final SessionHandler handler;
    private final SecureRandom random = new SecureRandom();
    private final String label;

    private final Object lock = new Object();
    private State state = State.CONNECTING;
    private SessionEnd end;
    private ControlMessage.Hello peerHello;
    private String peerErrorText;
    /**
     * The peer's error report just read, if the message before this one: a refusal's reason comes right before its
     * DENY, and only that DENY may carry it (an older report must not be read as the reason of a person's no).
     */
    private ControlMessage.ErrorReport reportJustBefore;
    private final Handshake handshake;
    private PairedPeer paired;
    private FrameSeal.Protection protection;
    private long nextRequestId = 1;
    private ControlMessage.Catalog localCatalog = new ControlMessage.Catalog(List.of());
    /** Held while ready-phase messages are handled, so a session that ends starts nothing after its end. */
    private final Object dispatch = new Object();
    /** Devices of this host with a consent question open now: one question per device at a time. */
    private final java.util.Set<String> asking = ConcurrentHashMap.newKeySet();
    /** Devices the peer offered with a question open on this host: one per device at a time. */
    private final java.util.Set<String> offeredAsking = ConcurrentHashMap.newKeySet();
    /** Offers of the peer's devices open as questions at once, at most: a person answers one at a time anyway. */
    private static final int MAX_OPEN_OFFERS = 4;
    /** Offers of the peer this host's person accepted: their CAPS may start a borrow. */
    private final Map<Long, String> acceptedOffers = new ConcurrentHashMap<>();
    /** When this session began to authenticate, or 0; the ticker gives up on a peer that never answers. */
    private volatile long authenticatingSinceNs;
    /** Key-frame requests a lent channel passes on at most one per this long; read by the control reader only. */
    private static final long KEY_FRAME_GAP_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private final long[] lastKeyFrameAskNs = new long[DataStreamDecoder.MAX_CHANNELS];
    /** Peer errors shown at most one per this long; the others are counted and mentioned with the next. */
    private static final long PEER_NOTICE_GAP_NS = TimeUnit.SECONDS.toNanos(3);
    private long lastPeerNoticeNs;
    private int peerNoticesHeld;
    /** Bytes read from the data stream before the session was ready: never reassembled. */
    private final java.util.concurrent.atomic.AtomicLong discardedBeforeReady =
            new java.util.concurrent.atomic.AtomicLong();
    /** The seal frames from the peer are opened with, once authenticated; read by the data reader. */
    private volatile FrameSeal receiveSeal;
    private ControlMessage.Catalog peerCatalog = new ControlMessage.Catalog(List.of());

    private final Map<Long, CompletableFuture<Borrow>> pendingBorrows = new ConcurrentHashMap<>();
    /** This host's format requests waiting for the owner's CAPS or refusal, by request id; one per channel. */
    private final Map<Long, PendingFormat> pendingFormats = new ConcurrentHashMap<>();
    /** Lent channels whose borrower's format request is being carried out: the request id the CAPS answers. */
    private final Map<Integer, Long> formatAsks = new ConcurrentHashMap<>();
    /** The caps each lent channel is sent in now (to answer a format request that changed nothing). */
    private final Map<Integer, String> lendCaps = new ConcurrentHashMap<>();

    private record PendingFormat(int channel, CompletableFuture<Borrow> result) {
    }
    private final Map<Long, String> offers = new ConcurrentHashMap<>();
    private final Map<Long, String> requestedDevices = new ConcurrentHashMap<>();
    /** Borrowed channels by id: an array, so the per-frame look-up boxes nothing. */
    private final AtomicReferenceArray<Borrow> borrows = new AtomicReferenceArray<>(DataStreamDecoder.MAX_CHANNELS);
    private final Map<Integer, String> lends = new ConcurrentHashMap<>();
    private final Map<Integer, Long> lendCapsVersions = new ConcurrentHashMap<>();
    private final java.util.Set<Integer> paused = ConcurrentHashMap.newKeySet();
    /** 3.2: the other half of each channel this host lends as one half of a two-channel lend (both ways). */
    private final Map<Integer, Integer> lendPartners = new ConcurrentHashMap<>();
    /**
     * 3.2: the first CAPS of a two-channel borrow whose other half has not come yet, by request id. Only this host's
     * own open requests (and offers it accepted) can have one, which bounds it.
     */
    private final Map<Long, HalfGroup> halfGroups = new ConcurrentHashMap<>();
    /** How long the second half of a two-channel borrow may lag behind the first: the owner sends them together. */
    private static final long HALF_GROUP_WAIT_NS = TimeUnit.SECONDS.toNanos(5);

    private record HalfGroup(ControlMessage.Caps caps, long sinceNs) {
    }
    /** Lent channels whose borrower said START. */
    private final java.util.Set<Integer> started = ConcurrentHashMap.newKeySet();
    private final ChannelStats dataSent = new ChannelStats();
    /**
     * Received frames' buffers, given back with {@link #recycle}; 256 MiB bounds what it keeps. Direct: a borrower
     * hands them to GStreamer wrapped, without a copy, and they are opened (AES-GCM) in place at the intrinsic's
     * speed.
     */
    private final org.hopwire.engine.protocol.BufferPool pool =
            new org.hopwire.engine.protocol.BufferPool(256L << 20, true);
    private final ChannelStats dataReceived = new ChannelStats();
    private final Map<Integer, ChannelStats> sentStats = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<ChannelStats> receivedStats =
            new AtomicReferenceArray<>(DataStreamDecoder.MAX_CHANNELS);
    /** Frame objects given back with {@link #recycle}, reused for later frames; bounded, and allocation-free. */
    private final ArrayBlockingQueue<MediaFrame> spareFrames = new ArrayBlockingQueue<>(64);
    private final ConcurrentLinkedQueue<Integer> channelResets = new ConcurrentLinkedQueue<>();
    /**
     * Renegotiation: the streams are not ordered with each other, so a frame made for a newer CAPS can arrive before
     * that CAPS. Such frames wait here (a few per channel) until it comes; frames made for an older CAPS than the one
     * in force are dropped. Guarded by itself; the data reader and the control reader both take it.
     */
    private final CapsGate capsGate = new CapsGate();
    private final ConcurrentLinkedQueue<State> stateChanges = new ConcurrentLinkedQueue<>();

    /** Controls of lent and borrowed channels (3.1); see {@link SessionControls}. */
    private final SessionControls controls = new SessionControls(new ControlsPort());
    private final DataWriter dataWriter;
    /**
     * Received frames go from the data reader to one bounded queue and thread per borrowed channel, so a slow video
     * consumer cannot hold audio back (docs/protocol.md, section 8).
     */
    private final FrameHandOff handOff;
    private final Thread controlReader;
    private final ControlWriter controlWriter;
    /** Set once, when the session ends: read without the lock by the paths that must stop at once. */
    private volatile boolean ended;
    private final Thread dataReader;
    private final ScheduledExecutorService ticker;
    private final long startedNs = System.nanoTime();
    private volatile long lastHeardNs = startedNs;
    private final ControlMessage.Hello ownHello;
    private java.util.concurrent.ScheduledFuture<?> helloRepeater;
    /** Counted down when the peer's GOODBYE (or its end of the stream) is read: a closing host waits for it. */
    private final java.util.concurrent.CountDownLatch peerFarewell = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean goodbyeSent;
    /** Counted down once both streams are closed. */
    private final java.util.concurrent.CountDownLatch streamsClosed = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean wasReady;
    private volatile long roundTripNs = -1;
    private long heartbeatSequence;

    private PeerSession(Config config, Identity local, PeerInfo cablePeer, StreamChannel control, StreamChannel data,
                        PeerStore store, SessionHandler handler) {
        this.config = Objects.requireNonNull(config, "config");
        this.local = Objects.requireNonNull(local, "local");
        this.cablePeer = Objects.requireNonNull(cablePeer, "cablePeer");
        this.control = Objects.requireNonNull(control, "control");
        this.data = Objects.requireNonNull(data, "data");
        this.store = Objects.requireNonNull(store, "store");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.label = "hopwire-" + cablePeer.cableId();
        this.handshake = new Handshake(config.protocolMajor(), config.protocolMinor(), local, cablePeer, config.protection(),
                store, random, new HandshakePort());
        this.ownHello = handshake.hello();
        this.dataWriter = new DataWriter(data, config.crc(), config.writeBatchBytes(), label + "-data-write",
                dataSent, e -> linkDown(e), this::frameSent);
        this.handOff = new FrameHandOff(label, this::deliver, this::recycle, this::failInternallyLater);
        this.controlReader = daemon(guarded(this::readControl), label + "-ctl-read");
        this.controlWriter = new ControlWriter(control, label + "-ctl-write", this::linkDown,
                this::failInternallyLater);
        this.dataReader = daemon(guarded(this::readData), label + "-data-read");
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, label + "-tick"));
    }

    /** Any throwable that escapes a session thread ends the session with words, never a thread silently. */
    private Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (Throwable t) {
                failInternallyLater(t);
            }
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts a session on open streams: reads the data stream first, then says hello. The session owns the
     * channels from now on and closes them when it ends.
     *
     * @param cablePeer the peer as sysfs shows it; its HELLO must carry the same UUID
     */
    public static PeerSession start(Config config, Identity local, PeerInfo cablePeer, StreamChannel control,
                                    StreamChannel data, PeerStore store, SessionHandler handler) {
        return start(config, local, cablePeer, control, data, store, handler, new ControlMessage.Catalog(List.of()));
    }

    /** As {@link #start(Config, Identity, PeerInfo, StreamChannel, StreamChannel, PeerStore, SessionHandler)}, offering
     * {@code catalog} from the moment the session is ready. */
    public static PeerSession start(Config config, Identity local, PeerInfo cablePeer, StreamChannel control,
                                    StreamChannel data, PeerStore store, SessionHandler handler,
                                    ControlMessage.Catalog catalog) {
        return start(config, local, cablePeer, control, data, store, handler, catalog, x -> { });
    }

    /**
     * As above; {@code beforeStart} sees the session before any of its threads runs, so whoever needs it (a media
     * lender, say) holds it before the first callback can arrive.
     */
    public static PeerSession start(Config config, Identity local, PeerInfo cablePeer, StreamChannel control,
                                    StreamChannel data, PeerStore store, SessionHandler handler,
                                    ControlMessage.Catalog catalog, java.util.function.Consumer<PeerSession> beforeStart) {
        PeerSession s = new PeerSession(config, local, cablePeer, control, data, store, handler);
        s.localCatalog = catalog;
        beforeStart.accept(s);
        // HELLO is queued before any thread runs, so it is always the first message the peer reads. The peer may not
        // have opened its end yet, and what is written before that can be lost: it is repeated until the peer's
        // HELLO arrives (section 5).
        s.post(s.ownHello);
        long repeat = config.helloRepeat().toMillis();
        synchronized (s.lock) {
            s.helloRepeater = s.ticker.scheduleWithFixedDelay(s.guarded(s::repeatHello), repeat, repeat,
                    TimeUnit.MILLISECONDS);
        }
        long tick = config.heartbeatInterval().toMillis();
        s.ticker.scheduleWithFixedDelay(s.guarded(s::tick), tick, tick, TimeUnit.MILLISECONDS);
        s.dataReader.start();
        s.controlReader.start();
        s.controlWriter.start();
        s.dataWriter.start();
        return s;
    }

    // ---- what the app sees and does ----------------------------------------------------------------------------

    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    /** Why the session ended, once it has. */
    public Optional<SessionEnd> end() {
        synchronized (lock) {
            return Optional.ofNullable(end);
        }
    }

    /** The peer as it introduced itself, once it has; its UUID is the one sysfs shows. */
    public PeerInfo peer() {
        synchronized (lock) {
            return peerHello == null ? cablePeer : new PeerInfo(cablePeer.uuid(), PeerText.name(peerHello.hostName()),
                    cablePeer.cableId());
        }
    }

    public ControlMessage.Catalog peerCatalog() {
        synchronized (lock) {
            return peerCatalog;
        }
    }

    /** The last heartbeat round trip, if one has come back. */
    public Optional<Duration> roundTrip() {
        long ns = roundTripNs;
        return ns < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(ns));
    }

    /** The channels this host lends now, with their device ids. */
    public Map<Integer, String> lending() {
        return Map.copyOf(lends);
    }

    /** The devices this host borrows now. */
    public List<Borrow> borrowing() {
        List<Borrow> result = new ArrayList<>();
        for (int ch = 0; ch < DataStreamDecoder.MAX_CHANNELS; ch++) {
            Borrow b = borrows.get(ch);
            if (b != null) {
                result.add(b);
            }
        }
        return result;
    }

    /** Counters of frames this host sent on a channel. */
    public ChannelStats sentStats(int channel) {
        return sentStats.computeIfAbsent(channel, c -> new ChannelStats());
    }

    /** Counters of frames this host received on a channel. */
    public ChannelStats receivedStats(int channel) {
        ChannelStats s = receivedStats.get(channel);
        if (s == null) {
            receivedStats.compareAndSet(channel, null, new ChannelStats());
            s = receivedStats.get(channel);
        }
        return s;
    }

    /** What this host offers; sent to the peer now if ready, else once it is. */
    public void setCatalog(ControlMessage.Catalog catalog) {
        boolean send;
        synchronized (lock) {
            localCatalog = catalog;
            send = state == State.READY;
        }
        if (send) {
            post(catalogForPeer(catalog));
        }
    }

    /** Payload bytes per sealed segment of the frames this host receives; 0 before authentication or unsealed. */
    int receivedSegmentBytes() {
        FrameSeal seal = receiveSeal;
        return seal == null ? 0 : seal.segmentBytes();
    }

    /** The minor version both hosts speak (the lower of the two), once the peer's HELLO is known; else 0. */
    private int agreedMinor() {
        synchronized (lock) {
            return peerHello == null || peerHello.major() != config.protocolMajor() ? 0
                    : Math.min(config.protocolMinor(), peerHello.minor());
        }
    }

    /**
     * The catalog as the peer may see it: a 3.1 peer does not know a device of pictures and sound together (it would
     * take it for a microphone), so it does not see one, and cannot ask for it (docs/protocol.md, 7.2).
     */
    private ControlMessage.Catalog catalogForPeer(ControlMessage.Catalog c) {
        if (agreedMinor() >= 2 || c.devices().stream().noneMatch(d -> d.kind() == ControlMessage.Device.AUDIO_VIDEO)) {
            return c;
        }
        return new ControlMessage.Catalog(c.devices().stream()
                .filter(d -> d.kind() != ControlMessage.Device.AUDIO_VIDEO).toList());
    }

    /** Asks the peer's person to lend a device; completes when its frames start, or fails when denied. */
    public CompletableFuture<Borrow> borrow(String deviceId, String preferredCaps) {
        CompletableFuture<Borrow> result = new CompletableFuture<>();
        long id;
        synchronized (lock) {
            if (state != State.READY) {
                result.completeExceptionally(new SessionException("cannot borrow before the session is ready ("
                        + state + ")"));
                return result;
            }
            id = nextRequestId++;
        }
        pendingBorrows.put(id, result);
        requestedDevices.put(id, deviceId);
        post(new ControlMessage.BorrowRequest(id, deviceId, preferredCaps));
        return result;
    }

    /** Gives a borrowed device back. */
    public void giveBack(int channel) {
        Borrow b = channel >= 0 && channel < DataStreamDecoder.MAX_CHANNELS ? borrows.getAndSet(channel, null) : null;
        if (b != null) {
            controls.borrowEnded(channel);
            handOff.close(channel);
            failFormats(channel, new SessionException("channel " + channel + " was given back"));
            // One STOP names a two-channel borrow: the owner ends both halves (docs/protocol.md, 7.2).
            post(new ControlMessage.Stop(channel, ControlMessage.Stop.RETURNED, ControlMessage.Stop.SENDER_BORROWS));
            // The other half goes back with it; the app asked for one, so it hears of the other.
            endPartnerBorrow(b, ControlMessage.Stop.RETURNED);
        }
    }

    /** Ends, on this host only, the other half of a two-channel borrow whose first half just ended. */
    private void endPartnerBorrow(Borrow ended, int reason) {
        if (!ended.grouped()) {
            return;
        }
        int p = ended.partner();
        Borrow other = borrows.get(p);
        if (other != null && other.partner() == ended.channel() && borrows.compareAndSet(p, other, null)) {
            controls.borrowEnded(p);
            handOff.close(p);
            failFormats(p, new SessionException("the borrow of channel " + p + " ended"));
            handler.onBorrowEnded(p, reason);
        }
    }

    /** Offers one of this host's devices to the peer; its person decides. */
    public void offer(String deviceId) throws SessionException {
        long id;
        synchronized (lock) {
            if (state != State.READY) {
                throw new SessionException("cannot offer before the session is ready (" + state + ")");
            }
            id = nextRequestId++;
        }
        if (isGroupDevice(deviceId) && !offers(deviceId)) {
            throw new SessionException(peerName() + " cannot take this device: its Hopwire is older than 3.2, which"
                    + " lends pictures and sound together");
        }
        offers.put(id, deviceId);
        post(new ControlMessage.LendOffer(id, deviceId));
    }

    /**
     * Sends a frame of a lent device; false when the channel is not lent (never started, revoked, returned) or the
     * borrower paused it.
     */
    public boolean send(MediaFrame frame) {
        Long capsVersion = lendCapsVersions.get(frame.channel());
        if (capsVersion == null || !lends.containsKey(frame.channel()) || paused.contains(frame.channel())) {
            return false;
        }
        return dataWriter.offer(frame.capsVersion(capsVersion.intValue()));
    }

    /**
     * Gives a received frame's buffer back for the next frames to use, so a steady stream allocates nothing. Call it
     * once the frame is consumed, at most once; a frame never given back is simply collected.
     */
    public void recycle(MediaFrame frame) {
        pool.release(frame.payload());
        spareFrames.offer(frame);
    }

    /**
     * Received frames' buffers handed out and not given back yet (in reassembly, queued, being played, held by
     * GStreamer): 0 once every borrow has ended and its playback let go, else a leak.
     */
    public long receiveBuffersOutstanding() {
        return pool.outstanding();
    }

    /**
     * Changes a lent channel's media type mid-stream: the borrower hears of it before the frames that follow. While a
     * borrower's format request for the channel is carried out, the CAPS answers it (carries its request id).
     */
    public void renegotiate(int channel, String caps) throws SessionException {
        if (!lends.containsKey(channel)) {
            throw new SessionException("channel " + channel + " is not lent");
        }
        long version = lendCapsVersions.merge(channel, 1L, Long::sum);
        lendCaps.put(channel, caps);
        Long asked = formatAsks.remove(channel);
        post(new ControlMessage.Caps(channel, asked != null ? asked : requestOfLend(channel), version, caps));
    }

    /**
     * Asks the owner to send a borrowed channel in another format ({@code preferredCaps}, "" for the owner's own
     * choice). Completes with the borrow in its new caps when the owner's CAPS arrives; fails with a {@link
     * ConsentDeniedException} carrying the owner's reason when it refuses (the channel goes on as it was), or a
     * {@link SessionException} when the borrow or session ends first. An owner older than 3.1 skips the request and
     * never answers: the caller bounds the wait.
     *
     * @throws SessionException when the channel is not borrowed, the text is malformed or too long, or a change of
     *                          this channel is already waiting for its answer
     */
    public CompletableFuture<Borrow> requestFormat(int channel, String preferredCaps) throws SessionException {
        requireBorrowed(channel);
        Optional<String> bad = org.hopwire.engine.protocol.CapsWish.problem(preferredCaps);
        if (bad.isPresent()) {
            throw new SessionException(bad.get());
        }
        long id;
        CompletableFuture<Borrow> result = new CompletableFuture<>();
        synchronized (lock) {
            if (pendingFormats.values().stream().anyMatch(p -> p.channel() == channel)) {
                throw new SessionException("a format change of channel " + channel + " is already waiting for "
                        + peerName());
            }
            id = nextRequestId++;
            pendingFormats.put(id, new PendingFormat(channel, result));
        }
        post(new ControlMessage.FormatRequest(id, channel, preferredCaps));
        return result;
    }

    /** Ends this host's format requests for {@code channel} (all when -1) with {@code why}. */
    private void failFormats(int channel, SessionException why) {
        pendingFormats.entrySet().removeIf(e -> {
            if (channel < 0 || e.getValue().channel() == channel) {
                e.getValue().result().completeExceptionally(why);
                return true;
            }
            return false;
        });
    }

    /** Asks the owner to pause or resume a borrowed channel. */
    public void pause(int channel, boolean pause) throws SessionException {
        requireBorrowed(channel);
        post(new ControlMessage.Pause(channel, pause));
    }

    /** Asks the owner for a key frame on a borrowed channel. */
    public void requestKeyFrame(int channel) throws SessionException {
        requireBorrowed(channel);
        post(new ControlMessage.KeyframeRequest(channel));
    }

    /**
     * Asks the owner to set a control of a borrowed channel's device (docs/protocol.md, 4.1). Changes made while one
     * is on its way are coalesced: only the latest is sent once the owner confirms the one before. Completes with the
     * owner's answer (the value the device took, or a refusal) to this change or a later one of the same control.
     *
     * @throws SessionException when the channel is not borrowed or its device has no such control
     */
    public CompletableFuture<ControlMessage.ControlState> setControl(int channel, String control, long value)
            throws SessionException {
        requireBorrowed(channel);
        return controls.set(channel, control, value);
    }

    /**
     * Tells the borrowers of a device that its owner changed a control on this side (its person, a local tool); the
     * change itself is the caller's. Returns how many borrowers were told.
     */
    public int controlChanged(String deviceId, String control, long value) {
        return controls.ownerChanged(deviceId, control, value);
    }

    /** The controls of a borrowed channel's device as its owner's catalog lists them, with the values known now. */
    public List<ControlMessage.Control> borrowedControls(int channel) {
        return controls.borrowedControls(channel);
    }

    /** Whether this host may change a borrowed channel's controls, as its owner last said; null before it said. */
    public ControlMessage.ControlAccess borrowedControlAccess(int channel) {
        return controls.borrowedAccess(channel);
    }

    /** Control changes of the peer this session dropped as a flood (coalesced into a later one); for tests. */
    public long controlChangesCoalesced() {
        return controls.coalesced();
    }

    private void requireBorrowed(int channel) throws SessionException {
        if (channel < 0 || channel >= DataStreamDecoder.MAX_CHANNELS || borrows.get(channel) == null) {
            throw new SessionException("channel " + channel + " is not borrowed");
        }
    }

    private final Map<Integer, Long> lendRequests = new ConcurrentHashMap<>();

    private long requestOfLend(int channel) {
        return lendRequests.getOrDefault(channel, 0L);
    }

    /** Bytes and fragments this host wrote to the data stream, headers included. */
    public ChannelStats dataStreamSent() {
        return dataSent;
    }

    /** Bytes this host read from the data stream, headers included. */
    public ChannelStats dataStreamReceived() {
        return dataReceived;
    }

    /** Stops lending a channel at once; the borrower's frames stop as soon as it reads the STOP. */
    public void revoke(int channel) {
        endLend(channel, ControlMessage.Stop.REVOKED, null);
    }

    /**
     * Ends a lend because the device failed ({@link ControlMessage.Stop#DEVICE_GONE}, {@link
     * ControlMessage.Stop#FAILED}): the borrower hears the reason and, in an ERROR that does not end the session,
     * the words. The session goes on.
     */
    public void endLend(int channel, int reason, String why) {
        Integer partner = lendPartners.get(channel);
        if (lends.remove(channel) != null) {
            controls.lendEnded(channel);
            started.remove(channel);
            dataWriter.close(channel);
            if (why != null) {
                post(new ControlMessage.ErrorReport(reason == ControlMessage.Stop.DEVICE_GONE
                        ? ProtocolError.DEVICE_GONE : ProtocolError.INTERNAL, why));
            }
            // One STOP for a two-channel lend: the borrower ends both halves with its reason (docs/protocol.md, 7.2).
            post(new ControlMessage.Stop(channel, reason, ControlMessage.Stop.SENDER_LENDS));
            handler.onLendEnded(channel, reason);
            endPartnerLend(channel, partner, reason);
        }
    }

    /** Ends, on this host only, the other half of a two-channel lend whose first half just ended. */
    private void endPartnerLend(int channel, Integer partner, int reason) {
        lendPartners.remove(channel);
        if (partner == null || !lendPartners.remove(partner, channel)) {
            return;
        }
        paused.remove(channel);
        if (lends.remove(partner) != null) {
            controls.lendEnded(partner);
            started.remove(partner);
            paused.remove(partner);
            dataWriter.close(partner);
            handler.onLendEnded(partner, reason);
        }
    }

    /**
     * Says goodbye, waits (a moment) for the peer's answer, and ends the session; returns once the streams are
     * closed, also when the session was already ending on one of its own threads.
     */
    @Override
    public void close() {
        finish(new SessionEnd(SessionEnd.Reason.LOCAL_CLOSE, "closed on this host"), true,
                new ControlMessage.Goodbye(ControlMessage.Goodbye.SHUTTING_DOWN));
        try {
            // Bounded: the goodbye wait, then the last closes (each up to half a second in the driver).
            streamsClosed.await(config.goodbyeWait().toMillis() * 2 + 3000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- control stream --------------------------------------------------------------------------------------------

    private void post(ControlMessage m) {
        if (ended) {
            return; // nothing is said after the end but the farewell, which the ending queues itself
        }
        if (controlWriter.offer(m)) {
            return;
        }
        if (Thread.currentThread() == controlReader) {
            // A burst of the peer's requests: reading its next message waits for room, which slows the peer down
            // instead of failing at once.
            try {
                if (controlWriter.offer(m, 2000)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean stuck = controlWriter.stuckFor(1000);
        String why = stuck ? peerName() + " stopped reading the control stream: a write to it has waited over a second"
                : "the control stream's queue is full (" + controlWriter.queued() + " messages): " + peerName()
                        + " sent requests faster than this host can answer them";
        finishLater(new SessionEnd(stuck ? SessionEnd.Reason.LINK_DOWN : SessionEnd.Reason.PROTOCOL_ERROR, why));
    }

    private void readControl() {
        ControlCodec.Decoder decoder = new ControlCodec.Decoder();
        this.decoder = decoder;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                buf.clear();
                int n = control.read(buf);
                if (n < 0) {
                    peerFarewell.countDown();
                    finish(new SessionEnd(SessionEnd.Reason.PEER_CLOSED, peerName() + " closed the session"
                            + peerErrorSuffix()), false);
                    return;
                }
                buf.flip();
                decoder.feed(buf, this::handle);
            }
        } catch (ProtocolException e) {
            if (handshake.peerHello().isEmpty()) {
                misrouted("control", e);
            } else {
                fail(SessionEnd.Reason.PROTOCOL_ERROR, e.error(), ControlMessage.Goodbye.PROTOCOL_ERROR,
                        peerName() + " broke the protocol: " + e.getMessage());
            }
        } catch (IOException e) {
            linkDown(e);
        } catch (RuntimeException e) {
            failInternally(e);
        } finally {
            peerFarewell.countDown();
        }
    }

    /** The reader's decoder: the handshake switches it to sealed messages at the peer's AUTH_RESPONSE. */
    private ControlCodec.Decoder decoder;

    private String peerErrorSuffix() {
        synchronized (lock) {
            return peerErrorText == null ? "" : ": " + peerErrorText;
        }
    }

    /**
     * Garbage before the peer's HELLO on the control stream, or any data on the data stream before the session is
     * ready, means the streams do not lead to this session's peer: a follower that inherited a stale announcement
     * gets HopIDs that may now belong to another of the peer's streams. Nothing was trusted yet; the link tears the
     * streams down and pairs them again.
     */
    private void misrouted(String stream, Exception e) {
        finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, "the " + stream + " stream to " + peerName()
                + " carried something else than this session before it was set up (" + e.getMessage()
                + "): it may follow a stale announcement, so the streams are set up again"), false);
    }

    /** A bug here or in a handler must end the session with words, not kill a thread and leave it hanging. */
    private void failInternally(Throwable e) {
        LOG.log(System.Logger.Level.ERROR, "session with " + peerName() + " failed", e);
        fail(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.INTERNAL, ControlMessage.Goodbye.PROTOCOL_ERROR,
                "internal error in the session with " + peerName() + ": " + e);
    }

    /**
     * As {@link #failInternally}, from a thread the ending waits for (a writer, the ticker): the ending runs on a
     * thread of its own, so this one can go on and send the farewell.
     */
    private void failInternallyLater(Throwable e) {
        endLater(() -> failInternally(e));
    }

    private void finishLater(SessionEnd why) {
        endLater(() -> finish(why, false));
    }

    /**
     * Runs an ending on a thread of its own, for callers the ending stops or waits for (the ticker, the writers): the
     * farewell still gets flushed, and the caller is not blocked.
     */
    private void endLater(Runnable ending) {
        daemon(ending, label + "-end").start();
    }

    /**
     * Handles one message on the reader. The silence check counts only time this host was listening: while the reader
     * is busy with a message (a lend whose device takes seconds to start, a consent answered at once) the peer's
     * heartbeats wait unread in the stream, and that is not the peer's silence.
     */
    private void handle(ControlMessage m) {
        handlingSinceNs = System.nanoTime();
        try {
            handleNow(m);
        } finally {
            long now = System.nanoTime();
            if (now - handlingSinceNs > config.heartbeatInterval().toNanos()) {
                lastHeardNs = now; // listening again: what the peer said meanwhile is read next
            }
            handlingSinceNs = 0;
        }
    }

    /** When the reader began handling the message it is busy with; 0 while it listens. */
    private volatile long handlingSinceNs;

    private void handleNow(ControlMessage m) {
        if (ended) {
            // What was still buffered when the session ended is not acted on; only the peer's answering GOODBYE
            // matters, since the ending waits for it.
            if (m instanceof ControlMessage.Goodbye) {
                peerFarewell.countDown();
            }
            return;
        }
        lastHeardNs = System.nanoTime();
        if (m instanceof ControlMessage.Heartbeat hb) {
            post(new ControlMessage.HeartbeatAck(hb.sequence(), hb.sentNs()));
        } else if (m instanceof ControlMessage.HeartbeatAck a) {
            roundTripNs = System.nanoTime() - a.echoedSentNs();
        } else if (m instanceof ControlMessage.Goodbye g) {
            peerFarewell.countDown();
            // Answered, so the peer knows its GOODBYE arrived before it closes its end (section 10).
            finish(new SessionEnd(goodbyeReason(g.reason()), peerName() + " ended the session" + peerErrorSuffix()),
                    true, new ControlMessage.Goodbye(ControlMessage.Goodbye.SHUTTING_DOWN));
        } else if (m instanceof ControlMessage.ErrorReport e) {
            onPeerError(e);
        } else if (m instanceof ControlMessage.PairReject r) {
            finish(new SessionEnd(SessionEnd.Reason.PAIRING_REJECTED, peerName() + " rejected pairing: "
                    + PeerText.text(r.reason())), false);
        } else if (Handshake.isHandshake(m)) {
            onHandshake(m);
        } else {
            onReadyMessage(m);
        }
    }

    private void onHandshake(ControlMessage m) {
        boolean ready;
        try {
            if (m instanceof ControlMessage.Hello h) {
                if (handshake.peerHello().isEmpty()) {
                    // The peer reads now (it opened before sending), so this copy of ours arrives even if the first
                    // was lost; it goes before anything else this host says.
                    post(ownHello);
                }
                synchronized (lock) {
                    if (peerHello == null) {
                        // Recorded before the handshake reacts, so whatever it announces names the peer.
                        peerHello = h;
                        if (helloRepeater != null) {
                            helloRepeater.cancel(false);
                        }
                    }
                }
                handshake.handle(h); // the same HELLO again is ignored: the peer repeats it until it hears ours
                return;
            }
            ready = handshake.handle(m);
        } catch (Handshake.Failure f) {
            failHandshake(f);
            return;
        }
        if (ready) {
            becomeReady(handshake.result().orElseThrow());
        }
    }

    private void failHandshake(Handshake.Failure f) {
        List<ControlMessage> farewell = new ArrayList<>(f.farewell);
        farewell.add(new ControlMessage.ErrorReport(f.error, f.getMessage()));
        farewell.add(new ControlMessage.Goodbye(f.goodbye));
        finish(new SessionEnd(f.reason, f.getMessage()), true, farewell.toArray(ControlMessage[]::new));
    }

    /** What the controls need of this session. */
    private final class ControlsPort implements SessionControls.Port {
        @Override
        public void post(ControlMessage m) {
            PeerSession.this.post(m);
        }

        @Override
        public void later(Runnable r, long delayNs) {
            try {
                ticker.schedule(guarded(r), delayNs, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ended) {
                // the session has ended: nothing more to apply
            }
        }

        @Override
        public SessionHandler handler() {
            return handler;
        }

        @Override
        public PeerInfo peer() {
            return PeerSession.this.peer();
        }

        @Override
        public String peerName() {
            return PeerSession.this.peerName();
        }

        @Override
        public String hostName() {
            return local.hostName();
        }

        @Override
        public boolean lends(int channel) {
            return lends.containsKey(channel);
        }

        @Override
        public String borrowedDevice(int channel) {
            Borrow b = channel >= 0 && channel < DataStreamDecoder.MAX_CHANNELS ? borrows.get(channel) : null;
            return b == null ? null : b.deviceId();
        }

        @Override
        public Optional<ControlMessage.Device> localDevice(String deviceId) {
            synchronized (lock) {
                return localCatalog.devices().stream().filter(d -> d.id().equals(deviceId)).findFirst();
            }
        }

        @Override
        public Optional<ControlMessage.Device> peerDevice(String deviceId) {
            synchronized (lock) {
                return peerCatalog.devices().stream().filter(d -> d.id().equals(deviceId)).findFirst();
            }
        }
    }

    /** How the handshake speaks through this session; called holding the handshake's lock, so nothing blocks. */
    private final class HandshakePort implements Handshake.Port {
        @Override
        public void send(ControlMessage m) {
            post(m);
        }

        @Override
        public void sendThenSeal(ControlMessage m, ControlSeal seal) {
            controlWriter.sealAfter(m, seal);
            post(m);
        }

        @Override
        public void expectSealed(ControlSeal seal) {
            // Called on the reader thread while it handles the peer's AUTH_RESPONSE: the next message is sealed.
            decoder.expectSealed(seal);
        }

        @Override
        public void askPerson(String code) {
            // The person's answer may come on any thread (the GUI's): the handshake goes on from there.
            PeerInfo who = peer();
            onTicker(() -> handler.confirmPairing(who, code).whenComplete((ok, error) -> onTicker(() -> {
                // Back on the session's own thread: the answer may come on the GUI's, which must not wait here.
                try {
                    handshake.personAnswered(Boolean.TRUE.equals(ok) && error == null);
                } catch (Handshake.Failure f) {
                    endLater(() -> failHandshake(f));
                }
            })));
        }

        @Override
        public void phase(State s) {
            synchronized (lock) {
                if (state == State.CLOSED) {
                    return;
                }
                setState(s);
            }
            if (s == State.AUTHENTICATING) {
                authenticatingSinceNs = System.nanoTime();
            }
            // Announced outside the handshake's lock, in order.
            onTicker(PeerSession.this::announceStates);
        }
    }

    /** Runs {@code r} on the session's ticker thread, guarded; nothing once the session has ended. */
    private void onTicker(Runnable r) {
        try {
            ticker.execute(guarded(r));
        } catch (java.util.concurrent.RejectedExecutionException ended) {
            // The session has ended: nothing more to ask or announce.
        }
    }

    private static SessionEnd.Reason goodbyeReason(int reason) {
        return switch (reason) {
            case ControlMessage.Goodbye.INCOMPATIBLE_VERSION -> SessionEnd.Reason.INCOMPATIBLE_VERSION;
            case ControlMessage.Goodbye.PAIRING_REJECTED -> SessionEnd.Reason.PAIRING_REJECTED;
            case ControlMessage.Goodbye.AUTH_FAILED -> SessionEnd.Reason.AUTH_FAILED;
            case ControlMessage.Goodbye.PROTOCOL_ERROR -> SessionEnd.Reason.PROTOCOL_ERROR;
            default -> SessionEnd.Reason.PEER_CLOSED;
        };
    }

    /**
     * The peer reported an error that does not end the session. Its text is cleaned, and the app hears of at most one
     * such report every few seconds: a peer cannot bury the person in notices.
     */
    private void onPeerError(ControlMessage.ErrorReport e) {
        String text = PeerText.text(e.text());
        boolean ready;
        String notice = null;
        synchronized (lock) {
            peerErrorText = text;
            reportJustBefore = new ControlMessage.ErrorReport(e.error(), text);
            ready = state == State.READY;
            long now = System.nanoTime();
            if (ready) {
                if (lastPeerNoticeNs == 0 || now - lastPeerNoticeNs >= PEER_NOTICE_GAP_NS) {
                    notice = peerNoticesHeld == 0 ? text : text + " (and " + peerNoticesHeld + " more reports)";
                    peerNoticesHeld = 0;
                    lastPeerNoticeNs = now;
                } else {
                    peerNoticesHeld++;
                }
            }
        }
        if (notice != null) {
            handler.onPeerError(e.error(), notice);
        }
    }

    private void becomeReady(Handshake.Result r) {
        ControlMessage.Catalog catalog;
        if (r.protection() != FrameSeal.Protection.NONE) {
            // Since 3.3 frames are sealed in segments, each opened as it lands; a 3.2 peer seals them whole.
            int segment = agreedMinor() >= 3 ? FrameSeal.SEGMENT_BYTES : FrameSeal.WHOLE_FRAME;
            receiveSeal = new FrameSeal(r.protection(), r.keys().dataReceive(), segment);
            dataWriter.seal(new FrameSeal(r.protection(), r.keys().dataSend(), segment));
        }
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            paired = r.peer();
            protection = r.protection();
            setState(State.READY);
            catalog = localCatalog;
        }
        announceStates();
        post(catalogForPeer(catalog));
    }

    /** The protection the data stream has in this session, once it is ready. */
    public Optional<FrameSeal.Protection> dataProtection() {
        synchronized (lock) {
            return Optional.ofNullable(protection);
        }
    }

    /** Bytes the peer wrote to the data stream before this session was ready: read and dropped, never kept. */
    public long dataDiscardedBeforeReady() {
        return discardedBeforeReady.get();
    }

    /** Records a state, holding {@code lock}; the handler hears of it from {@link #announceStates()}, in order. */
    private void setState(State s) {
        state = s;
        if (s == State.READY) {
            wasReady = true;
        }
        stateChanges.add(s);
    }

    /**
     * Tells the handler of recorded states, in the order they happened, outside {@code lock} so the handler may call
     * back. Serialised, so two threads cannot deliver them out of order.
     */
    private void announceStates() {
        synchronized (stateChanges) {
            for (State s; (s = stateChanges.poll()) != null; ) {
                handler.onStateChanged(s);
            }
        }
    }

    private void onReadyMessage(ControlMessage m) {
        boolean ready;
        synchronized (lock) {
            ready = state == State.READY;
        }
        if (!ready) {
            // An unpaired or unproven peer sees nothing and opens nothing. (After authentication every message is
            // sealed, and each host's AUTH_RESPONSE precedes what it says next, so a ready peer's messages never
            // arrive before this host is ready.) Said outside the lock: a full queue may make the post wait.
            post(new ControlMessage.ErrorReport(ProtocolError.NOT_ALLOWED, "not paired and authenticated yet"));
            return;
        }
        synchronized (dispatch) {
            dispatchReady(m);
        }
    }

    private void dispatchReady(ControlMessage m) {
        ControlMessage.ErrorReport before;
        synchronized (lock) {
            before = reportJustBefore;
            reportJustBefore = null;
        }
        if (m instanceof ControlMessage.Catalog c) {
            ControlMessage.Catalog shown = cleaned(c);
            synchronized (lock) {
                peerCatalog = shown;
            }
            handler.onCatalog(shown);
        } else if (m instanceof ControlMessage.BorrowRequest r) {
            onBorrowRequest(r.requestId(), r.deviceId(), r.preferredCaps());
        } else if (m instanceof ControlMessage.LendOffer o) {
            onLendOffer(o);
        } else if (m instanceof ControlMessage.Consent c) {
            onConsent(c, before);
        } else if (m instanceof ControlMessage.Caps c) {
            onCaps(c);
        } else if (m instanceof ControlMessage.Start st) {
            // The borrower has set the channel up and reads it: frames may flow, none can arrive unannounced.
            onStart(st.channel());
        } else if (m instanceof ControlMessage.Stop st) {
            onStop(st);
        } else if (m instanceof ControlMessage.Pause pa && lends.containsKey(pa.channel())) {
            // A PAUSE of either half of a two-channel lend pauses both (docs/protocol.md, 7.2).
            for (int ch : lendWithPartner(pa.channel())) {
                if (pa.paused()) {
                    paused.add(ch);
                } else {
                    paused.remove(ch);
                }
                handler.onPauseRequested(ch, pa.paused());
            }
        } else if (m instanceof ControlMessage.KeyframeRequest k && lends.containsKey(k.channel())) {
            long now = System.nanoTime();
            if (now - lastKeyFrameAskNs[k.channel()] >= KEY_FRAME_GAP_NS || lastKeyFrameAskNs[k.channel()] == 0) {
                // At most one every quarter second: more would only swell the stream, never help the borrower.
                lastKeyFrameAskNs[k.channel()] = now;
                handler.onKeyFrameRequested(k.channel());
            }
        } else if (m instanceof ControlMessage.Stats st && borrows.get(st.channel()) != null) {
            handler.onPeerStats(st);
        } else if (m instanceof ControlMessage.FormatRequest fr) {
            onFormatRequest(fr);
        } else if (m instanceof ControlMessage.ControlSet cs) {
            controls.onSet(cs);
        } else if (m instanceof ControlMessage.ControlState cst) {
            controls.onState(cst);
        } else if (m instanceof ControlMessage.ControlAccess ca) {
            controls.onAccess(ca);
        }
    }

    /** The peer's catalog with its names made safe to show; ids stay as they are (they are asked for). */
    private static ControlMessage.Catalog cleaned(ControlMessage.Catalog c) {
        List<ControlMessage.Device> devices = new ArrayList<>(c.devices().size());
        for (ControlMessage.Device d : c.devices()) {
            devices.add(new ControlMessage.Device(d.id(), d.kind(), PeerText.name(d.name()), d.formats(),
                    d.controls()));
        }
        return new ControlMessage.Catalog(devices);
    }


    // ---- owner side ------------------------------------------------------------------------------------------------

    private boolean offers(String deviceId) {
        synchronized (lock) {
            return catalogForPeer(localCatalog).devices().stream().anyMatch(d -> d.id().equals(deviceId));
        }
    }

    private boolean isGroupDevice(String deviceId) {
        synchronized (lock) {
            return localCatalog.devices().stream().anyMatch(d -> d.id().equals(deviceId)
                    && d.kind() == ControlMessage.Device.AUDIO_VIDEO);
        }
    }

    /** The channel and, when it is one half of a two-channel lend still lent, its other half. */
    private int[] lendWithPartner(int channel) {
        Integer p = lendPartners.get(channel);
        return p != null && lends.containsKey(p) ? new int[] {channel, p} : new int[] {channel};
    }

    private void refuse(long requestId, ProtocolError error, String why) {
        // The reason first, so the borrower has it when the refusal arrives.
        post(new ControlMessage.ErrorReport(error, why));
        post(new ControlMessage.Consent(requestId, ControlMessage.Consent.DENY));
    }

    private void onBorrowRequest(long requestId, String deviceId, String preferredCaps) {
        if (!offers(deviceId)) {
            refuse(requestId, ProtocolError.DEVICE_GONE, "no device " + PeerText.name(deviceId) + " on "
                    + local.hostName());
            return;
        }
        PairedPeer p;
        boolean lentAlready;
        synchronized (lock) {
            p = paired;
            lentAlready = lends.containsValue(deviceId);
        }
        if (lentAlready) {
            // The peer has it already: asking the person again could only end in a second refusal after a yes.
            refuse(requestId, ProtocolError.DEVICE_BUSY, PeerText.name(deviceId) + " is already lent to "
                    + peerName());
            return;
        }
        if (p.alwaysAllowed().contains(deviceId)) {
            grant(requestId, deviceId, preferredCaps, ControlMessage.Consent.ALLOW_ALWAYS,
                    p.controlsAllowed(deviceId) ? ControlMessage.ControlAccess.ALLOWED
                            : ControlMessage.ControlAccess.REFUSED);
            return;
        }
        if (!asking.add(deviceId)) {
            // One question per device at a time: a peer that asks again and again gets no second prompt.
            refuse(requestId, ProtocolError.DEVICE_BUSY, "the person on " + local.hostName() + " is already being"
                    + " asked about this device");
            return;
        }
        CompletionStage<SessionHandler.ConsentAnswer> question;
        try {
            question = handler.askConsentWithControls(peer(), deviceId);
        } catch (RuntimeException e) {
            asking.remove(deviceId);
            throw e;
        }
        question.whenComplete((full, e) -> {
            asking.remove(deviceId);
            SessionHandler.Consent answer = full == null ? null : full.consent();
            if (e != null || answer == null || answer == SessionHandler.Consent.DENY) {
                post(new ControlMessage.Consent(requestId, ControlMessage.Consent.DENY));
                return;
            }
            boolean always = answer == SessionHandler.Consent.ALLOW_ALWAYS;
            if (always) {
                rememberAlways(deviceId, full.controls());
            }
            // Controls: refused when the person unticked them; for "always" allowed at once, for "once" the
            // person is asked at the borrower's first change (docs/protocol.md, 7.1).
            int access = !full.controls() ? ControlMessage.ControlAccess.REFUSED
                    : always ? ControlMessage.ControlAccess.ALLOWED : ControlMessage.ControlAccess.ASK;
            grant(requestId, deviceId, preferredCaps, always ? ControlMessage.Consent.ALLOW_ALWAYS
                    : ControlMessage.Consent.ALLOW_ONCE, access);
        });
    }

    private void rememberAlways(String deviceId, boolean controls) {
        synchronized (lock) {
            paired = paired.withAlwaysAllowed(deviceId, controls);
        }
        try {
            store.save(paired);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remember 'always' for " + deviceId + ": "
                    + e.getMessage());
        }
    }

    /** @param controlAccess whether the borrower may change the device's controls ({@link ControlMessage.ControlAccess}) */
    private void grant(long requestId, String deviceId, String preferredCaps, int answer, int controlAccess) {
        synchronized (lock) {
            if (state != State.READY) {
                return; // the session ended while the person answered: nothing is lent after the end
            }
        }
        boolean group = isGroupDevice(deviceId);
        String caps;
        String audioCaps = null;
        try {
            if (group) {
                SessionHandler.GroupCaps both = handler.prepareGroupLend(deviceId, preferredCaps);
                caps = both.video();
                audioCaps = both.audio();
            } else {
                caps = handler.prepareLend(deviceId, preferredCaps);
            }
        } catch (SessionHandler.LendRefused e) {
            refuse(requestId, e.error(), e.getMessage());
            return;
        }
        int channel;
        int audioChannel = -1;
        synchronized (lock) {
            channel = freeLendChannel(-1);
            if (group && channel >= 0) {
                audioChannel = freeLendChannel(channel);
            }
            if (channel < 0 || group && audioChannel < 0) {
                channel = -1;
            } else {
                if (group) {
                    // Known before either half is: a START or STOP of one half finds the other.
                    lendPartners.put(channel, audioChannel);
                    lendPartners.put(audioChannel, channel);
                    lends.put(audioChannel, deviceId);
                }
                lends.put(channel, deviceId);
            }
        }
        if (channel < 0) {
            refuse(requestId, ProtocolError.DEVICE_BUSY, local.hostName() + " lends "
                    + DataStreamDecoder.MAX_CHANNELS + " channels already");
            return;
        }
        openLend(channel, requestId, deviceId, caps, controlAccess);
        if (group) {
            openLend(audioChannel, requestId, deviceId, audioCaps, controlAccess);
        }
        post(new ControlMessage.Consent(requestId, answer));
        if (group) {
            // Pictures first, then sound; each names the other, and the borrower starts neither before it has both.
            post(new ControlMessage.Caps(channel, requestId, 1, caps, audioChannel));
            post(new ControlMessage.Caps(audioChannel, requestId, 1, audioCaps, channel));
        } else {
            post(new ControlMessage.Caps(channel, requestId, 1, caps));
        }
        controls.announce(channel);
        if (group) {
            controls.announce(audioChannel);
        }
        // Frames sent from now on queue until the borrower's START says it has set the channel up.
    }

    /** The lowest channel this host does not lend, other than {@code besides}; -1 when all are taken. Holds lock. */
    private int freeLendChannel(int besides) {
        for (int ch = 0; ch < DataStreamDecoder.MAX_CHANNELS; ch++) {
            if (ch != besides && !lends.containsKey(ch)) {
                return ch;
            }
        }
        return -1;
    }

    private void openLend(int channel, long requestId, String deviceId, String caps, int controlAccess) {
        lendRequests.put(channel, requestId);
        lendCapsVersions.put(channel, 1L);
        lendCaps.put(channel, caps);
        paused.remove(channel);
        dataWriter.open(channel, caps.startsWith("audio/"), caps.startsWith("audio/") ? config.audioQueueFrames()
                : config.videoQueueFrames(), sentStats(channel));
        started.remove(channel);
        // Known before the CAPS goes out, so the borrower's first change finds them.
        controls.prepare(channel, deviceId, controlAccess);
    }

    /**
     * The borrower has set a channel up and reads it. A half of a two-channel lend waits for the other half's START:
     * both start together, so a borrower that starts one half only gets nothing of either.
     */
    private void onStart(int channel) {
        String device = lends.get(channel);
        if (device == null || !started.add(channel)) {
            return;
        }
        Integer partner = lendPartners.get(channel);
        if (partner == null) {
            dataWriter.start(channel);
            handler.onLendStarted(channel, device);
            return;
        }
        if (!started.contains(partner) || !device.equals(lends.get(partner))) {
            return;
        }
        boolean audioFirst = lendCaps.getOrDefault(channel, "").startsWith("audio/");
        int video = audioFirst ? partner : channel;
        int audio = audioFirst ? channel : partner;
        dataWriter.start(video);
        dataWriter.start(audio);
        handler.onGroupLendStarted(video, audio, device);
    }

    /**
     * The borrower asks for another format: only for a channel this host lends it, only well-formed text, one change
     * at a time per channel. A refusal (ERROR with the reason, then CONSENT deny for the request) leaves the channel
     * as it was; so does the handler's failure to change it.
     */
    private void onFormatRequest(ControlMessage.FormatRequest fr) {
        int ch = fr.channel();
        if (!lends.containsKey(ch)) {
            refuse(fr.requestId(), ProtocolError.MALFORMED, "channel " + ch + " is not lent to " + peerName()
                    + " by " + local.hostName());
            return;
        }
        Optional<String> bad = org.hopwire.engine.protocol.CapsWish.problem(fr.preferredCaps());
        if (bad.isPresent()) {
            refuse(fr.requestId(), ProtocolError.MALFORMED, PeerText.name(bad.get()));
            return;
        }
        if (formatAsks.putIfAbsent(ch, fr.requestId()) != null) {
            refuse(fr.requestId(), ProtocolError.DEVICE_BUSY, "a format change of channel " + ch
                    + " is under way on " + local.hostName());
            return;
        }
        CompletionStage<Void> change;
        try {
            change = handler.onFormatRequested(ch, fr.preferredCaps());
        } catch (RuntimeException e) {
            change = CompletableFuture.failedFuture(e);
        }
        change.whenComplete((v, e) -> {
            // Still waiting: the handler did not renegotiate (a change to what is sent already, or a failure).
            boolean unanswered = formatAsks.remove(ch, fr.requestId());
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                if (cause instanceof SessionHandler.LendRefused r) {
                    refuse(fr.requestId(), r.error(), r.getMessage());
                } else {
                    LOG.log(System.Logger.Level.WARNING, "format change of channel " + ch + " failed", cause);
                    refuse(fr.requestId(), ProtocolError.INTERNAL, "the format of channel " + ch
                            + " could not be changed on " + local.hostName());
                }
            } else if (unanswered && lends.containsKey(ch)) {
                // Nothing changed: the same caps again, at the same version, so the borrower's wait ends.
                post(new ControlMessage.Caps(ch, fr.requestId(), lendCapsVersions.getOrDefault(ch, 1L),
                        lendCaps.getOrDefault(ch, "")));
            }
        });
    }

    // ---- borrower side ----------------------------------------------------------------------------------------------

    private void onLendOffer(ControlMessage.LendOffer o) {
        boolean listed;
        synchronized (lock) {
            listed = peerCatalog.devices().stream().anyMatch(d -> d.id().equals(o.deviceId()));
        }
        if (!listed) {
            // Only what the peer's catalog shows can be offered: a person is never asked about anything else.
            post(new ControlMessage.ErrorReport(ProtocolError.DEVICE_GONE, "an offer of a device that is not in "
                    + peerName() + "'s catalog"));
            post(new ControlMessage.Consent(o.requestId(), ControlMessage.Consent.DENY));
            return;
        }
        if (offeredAsking.size() >= MAX_OPEN_OFFERS || !offeredAsking.add(o.deviceId())) {
            // One question per offered device at a time.
            post(new ControlMessage.ErrorReport(ProtocolError.DEVICE_BUSY, "the person on " + local.hostName()
                    + " is already being asked about this device"));
            post(new ControlMessage.Consent(o.requestId(), ControlMessage.Consent.DENY));
            return;
        }
        requestedDevices.put(o.requestId(), o.deviceId());
        CompletionStage<Boolean> question;
        try {
            question = handler.acceptOffer(peer(), o.deviceId());
        } catch (RuntimeException e) {
            offeredAsking.remove(o.deviceId());
            throw e;
        }
        question.whenComplete((yes, e) -> {
            offeredAsking.remove(o.deviceId());
            boolean accepted = Boolean.TRUE.equals(yes) && e == null;
            if (accepted) {
                acceptedOffers.put(o.requestId(), o.deviceId());
            } else {
                requestedDevices.remove(o.requestId());
            }
            post(new ControlMessage.Consent(o.requestId(), accepted ? ControlMessage.Consent.ALLOW_ONCE
                    : ControlMessage.Consent.DENY));
        });
    }

    /** @param reason the peer's error report read just before, the refusal's reason; null when none */
    private void onConsent(ControlMessage.Consent c, ControlMessage.ErrorReport reason) {
        String offered = offers.remove(c.requestId());
        if (offered != null) {
            if (c.answer() != ControlMessage.Consent.DENY) {
                // This host's person offered the device but said nothing of its controls: asked at the first change.
                grant(c.requestId(), offered, "", ControlMessage.Consent.ALLOW_ONCE,
                        ControlMessage.ControlAccess.ASK);
            } else {
                handler.onOfferDeclined(offered);
            }
            return;
        }
        if (c.answer() == ControlMessage.Consent.DENY) {
            PendingFormat format = pendingFormats.remove(c.requestId());
            if (format != null) {
                format.result().completeExceptionally(new ConsentDeniedException(peerName()
                        + " did not change the format" + (reason == null ? "" : ": " + reason.text()),
                        reason == null ? null : reason.error()));
                return;
            }
            requestedDevices.remove(c.requestId());
            CompletableFuture<Borrow> f = pendingBorrows.remove(c.requestId());
            if (f != null) {
                f.completeExceptionally(new ConsentDeniedException(peerName() + " did not lend the device"
                        + (reason == null ? "" : ": " + reason.text()), reason == null ? null : reason.error()));
            }
        }
    }

    private void onCaps(ControlMessage.Caps c) {
        Borrow existing = borrows.get(c.channel());
        if (existing == null && !pendingBorrows.containsKey(c.requestId())
                && !acceptedOffers.containsKey(c.requestId())) {
            // Nothing starts on this host that its person did not ask for or accept: no pipeline for a CAPS out of
            // the blue. The owner hears that the channel is not taken.
            post(new ControlMessage.ErrorReport(ProtocolError.NOT_ALLOWED, "channel " + c.channel()
                    + " was not asked for by " + local.hostName()));
            post(new ControlMessage.Stop(c.channel(), ControlMessage.Stop.FAILED,
                    ControlMessage.Stop.SENDER_BORROWS));
            return;
        }
        if (existing == null && c.grouped()) {
            onGroupCaps(c);
            return;
        }
        if (existing != null && existing.grouped() && existing.isAudio() != c.caps().startsWith("audio/")) {
            // A half of a two-channel borrow keeps its kind: pictures turned into sound would leave a pair of one
            // kind. The pair ends, as a failure of either half ends it.
            Borrow b = borrows.getAndSet(c.channel(), null);
            if (b != null) {
                controls.borrowEnded(c.channel());
                handOff.close(c.channel());
                failFormats(c.channel(), new SessionException("channel " + c.channel() + " changed its kind"));
                post(new ControlMessage.ErrorReport(ProtocolError.MALFORMED, "channel " + c.channel() + " is the "
                        + (b.isAudio() ? "sound" : "pictures") + " of a borrow of both: its caps cannot change kind"));
                post(new ControlMessage.Stop(c.channel(), ControlMessage.Stop.FAILED,
                        ControlMessage.Stop.SENDER_BORROWS));
                handler.onBorrowEnded(c.channel(), ControlMessage.Stop.FAILED);
                endPartnerBorrow(b, ControlMessage.Stop.FAILED);
            }
            return;
        }
        String deviceId = existing != null ? existing.deviceId()
                : requestedDevices.getOrDefault(c.requestId(), "");
        if (existing == null) {
            acceptedOffers.remove(c.requestId());
            requestedDevices.remove(c.requestId());
            // A new channel: the data reader forgets anything an earlier use of this id left.
            channelResets.add(c.channel());
        }
        // A renegotiation keeps the channel's group as it was set up: a later CAPS cannot regroup it.
        Borrow now = new Borrow(c.channel(), deviceId, c.caps(), existing != null ? existing.partner() : -1);
        borrows.set(c.channel(), now);
        if (existing != null) {
            synchronized (capsGate) {
                capsGate.version[c.channel()] = (int) c.capsVersion();
                handler.onCapsChanged(now);
                capsGate.release(c.channel(), this::handOver, this::recycle);
            }
            PendingFormat asked = pendingFormats.get(c.requestId());
            if (asked != null && asked.channel() == c.channel() && pendingFormats.remove(c.requestId(), asked)) {
                asked.result().complete(now);
            }
            return;
        }
        synchronized (capsGate) {
            capsGate.reset(c.channel(), (int) c.capsVersion(), this::recycle);
        }
        synchronized (lock) {
            if (state == State.CLOSED) {
                // The session ended while this CAPS was read: nothing starts after the end was reported.
                borrows.set(c.channel(), null);
                return;
            }
        }
        boolean audio = c.caps().startsWith("audio/");
        handOff.open(c.channel(), audio, audio ? config.audioQueueFrames() : config.videoQueueFrames(),
                receivedStats(c.channel()));
        // Set up to receive: tell the owner to start, then the borrower's app.
        post(new ControlMessage.Start(c.channel()));
        CompletableFuture<Borrow> f = pendingBorrows.remove(c.requestId());
        if (f != null) {
            f.complete(now);
        }
        handler.onBorrowStarted(now);
    }

    /**
     * 3.2: one half of a two-channel borrow. The first half waits; the second must name the first as the first names
     * it, be of the other kind (one video, one audio) and take no channel this host borrows already. Then both are set
     * up and started together; anything else refuses both (docs/protocol.md, 7.2), and nothing of them plays.
     */
    private void onGroupCaps(ControlMessage.Caps c) {
        HalfGroup first = halfGroups.get(c.requestId());
        if (first == null) {
            boolean claimed = borrows.get(c.partner()) != null || halfGroups.values().stream().anyMatch(h ->
                    h.caps().channel() == c.channel() || h.caps().channel() == c.partner());
            if (claimed) {
                refuseGroup(c, null, "channel " + c.channel() + " names channel " + c.partner()
                        + " as its other half, which another borrow of " + local.hostName() + " holds");
                return;
            }
            halfGroups.put(c.requestId(), new HalfGroup(c, System.nanoTime()));
            return;
        }
        ControlMessage.Caps f = first.caps();
        if (f.partner() != c.channel() || c.partner() != f.channel() || borrows.get(f.channel()) != null) {
            refuseGroup(c, f, "channels " + f.channel() + " and " + c.channel() + " do not name each other as the"
                    + " two halves of one borrow");
            return;
        }
        if (f.caps().startsWith("audio/") == c.caps().startsWith("audio/")) {
            refuseGroup(c, f, "a borrow of two channels is one of pictures and one of sound; channels "
                    + f.channel() + " and " + c.channel() + " are of one kind");
            return;
        }
        if (!halfGroups.remove(c.requestId(), first)) {
            refuseGroup(c, f, "channel " + c.channel() + " came after its other half was given up");
            return;
        }
        String deviceId = requestedDevices.getOrDefault(c.requestId(), "");
        acceptedOffers.remove(c.requestId());
        requestedDevices.remove(c.requestId());
        ControlMessage.Caps video = f.caps().startsWith("audio/") ? c : f;
        ControlMessage.Caps audio = video == c ? f : c;
        Borrow vb = new Borrow(video.channel(), deviceId, video.caps(), audio.channel());
        Borrow ab = new Borrow(audio.channel(), deviceId, audio.caps(), video.channel());
        for (Borrow b : List.of(vb, ab)) {
            channelResets.add(b.channel());
            borrows.set(b.channel(), b);
            synchronized (capsGate) {
                capsGate.reset(b.channel(), 1, this::recycle);
            }
        }
        synchronized (lock) {
            if (state == State.CLOSED) {
                borrows.set(vb.channel(), null);
                borrows.set(ab.channel(), null);
                return;
            }
        }
        for (Borrow b : List.of(vb, ab)) {
            handOff.open(b.channel(), b.isAudio(), b.isAudio() ? config.audioQueueFrames()
                    : config.videoQueueFrames(), receivedStats(b.channel()));
            post(new ControlMessage.Start(b.channel()));
        }
        CompletableFuture<Borrow> result = pendingBorrows.remove(c.requestId());
        if (result != null) {
            result.complete(vb);
        }
        handler.onBorrowStarted(vb);
        handler.onBorrowStarted(ab);
    }

    /** Refuses a two-channel borrow the owner set up wrongly: both named channels are stopped, nothing started. */
    private void refuseGroup(ControlMessage.Caps c, ControlMessage.Caps first, String why) {
        halfGroups.remove(c.requestId());
        acceptedOffers.remove(c.requestId());
        requestedDevices.remove(c.requestId());
        post(new ControlMessage.ErrorReport(ProtocolError.MALFORMED, why));
        post(new ControlMessage.Stop(c.channel(), ControlMessage.Stop.FAILED, ControlMessage.Stop.SENDER_BORROWS));
        if (first != null && first.channel() != c.channel()) {
            post(new ControlMessage.Stop(first.channel(), ControlMessage.Stop.FAILED,
                    ControlMessage.Stop.SENDER_BORROWS));
        }
        CompletableFuture<Borrow> f = pendingBorrows.remove(c.requestId());
        if (f != null) {
            f.completeExceptionally(new SessionException(peerName() + " lent the device wrongly: " + why));
        }
    }

    private void frameSent(MediaFrame frame) {
        try {
            handler.onFrameSent(frame);
        } catch (RuntimeException e) {
            // A buffer not given back is only collected; the stream goes on.
        }
    }

    /** From the data reader to the channel's own queue and thread; a frame with nowhere to go is given back. */
    private void handOver(MediaFrame frame) {
        if (!handOff.offer(frame)) {
            receivedStats(frame.channel()).drop();
            recycle(frame);
        }
    }

    /** On the channel's delivery thread. */
    private void deliver(MediaFrame frame) {
        receivedStats(frame.channel()).frame(frame.payload().remaining());
        handler.onFrame(frame);
    }

    /** Ends only what the STOP names: the peer's lend is this host's borrow, the peer's borrow this host's lend. */
    private void onStop(ControlMessage.Stop s) {
        if (s.side() == ControlMessage.Stop.SENDER_LENDS) {
            Borrow b = borrows.getAndSet(s.channel(), null);
            if (b != null) {
                controls.borrowEnded(s.channel());
                handOff.close(s.channel());
                failFormats(s.channel(), new SessionException("the borrow of channel " + s.channel() + " ended"));
                handler.onBorrowEnded(s.channel(), s.reason());
                // Either half's STOP ends both, with the same reason: no half of a capture card plays on alone.
                endPartnerBorrow(b, s.reason());
            }
        } else {
            Integer partner = lendPartners.get(s.channel());
            if (lends.remove(s.channel()) != null) {
                controls.lendEnded(s.channel());
                started.remove(s.channel());
                dataWriter.close(s.channel());
                handler.onLendEnded(s.channel(), s.reason());
                endPartnerLend(s.channel(), partner, s.reason());
            }
        }
    }

    // ---- data stream ----------------------------------------------------------------------------------------------

    private void readData() {
        DataStreamDecoder.Handler frames = new DataStreamDecoder.Handler() {
            @Override
            public void onFrame(MediaFrame frame) {
                if (borrows.get(frame.channel()) != null) {
                    synchronized (capsGate) {
                        int known = capsGate.version[frame.channel()];
                        int made = frame.capsVersion();
                        if (made != 0 && made > known) {
                            if (!capsGate.hold(frame, PeerSession.this::recycle)) {
                                receivedStats(frame.channel()).drop();
                            }
                        } else if (made != 0 && made < known) {
                            receivedStats(frame.channel()).drop();
                            recycle(frame);
                        } else {
                            handOver(frame);
                        }
                    }
                } else {
                    receivedStats(frame.channel()).drop();
                    recycle(frame);
                }
            }

            @Override
            public void onReassembled(int channel, long nanos) {
                receivedStats(channel).latency(nanos);
            }

            @Override
            public void onChannelEnded(ChannelException reason) {
                int ch = reason.channel();
                Borrow b = borrows.getAndSet(ch, null);
                if (b != null) {
                    controls.borrowEnded(ch);
                    handOff.close(ch);
                    post(new ControlMessage.Stop(ch, ControlMessage.Stop.FAILED, ControlMessage.Stop.SENDER_BORROWS));
                    post(new ControlMessage.ErrorReport(reason.error(), reason.getMessage()));
                    handler.onBorrowEnded(ch, ControlMessage.Stop.FAILED);
                    endPartnerBorrow(b, ControlMessage.Stop.FAILED);
                }
            }
        };
        DataStreamDecoder decoder = new DataStreamDecoder(config.limits(), frames,
                pool, (ch, seq, pts, dts, duration, flags, payload) -> {
                    MediaFrame spare = spareFrames.poll();
                    return spare == null ? new MediaFrame(ch, seq, pts, dts, duration, flags, payload)
                            : spare.reuse(ch, seq, pts, dts, duration, flags, payload);
                });
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        boolean open = false;
        try {
            while (true) {
                buf.clear();
                int n = data.read(buf);
                if (n < 0) {
                    return; // the control stream reports the ending
                }
                if (!open) {
                    if (state() != State.READY) {
                        // Before the session is ready nothing is reassembled, so an unproven peer pins no memory.
                        // A peer sends no frame before this host's START, which follows its readiness: these
                        // bytes are not this session's.
                        discardedBeforeReady.addAndGet(n);
                        misrouted("data", new ProtocolException(ProtocolError.MALFORMED, n
                                + " bytes arrived before the session was set up"));
                        return;
                    }
                    open = true;
                    // Set before READY was: frames from here on are opened with this session's key.
                    FrameSeal seal = receiveSeal;
                    if (seal != null) {
                        decoder.expectSealed(seal);
                    }
                }
                for (Integer ch; (ch = channelResets.poll()) != null; ) {
                    decoder.resetChannel(ch);
                }
                dataReceived.frame(n);
                buf.flip();
                decoder.feed(buf);
            }
        } catch (ProtocolException e) {
            fail(SessionEnd.Reason.PROTOCOL_ERROR, e.error(), ControlMessage.Goodbye.PROTOCOL_ERROR,
                    peerName() + " broke the protocol on the data stream: " + e.getMessage());
        } catch (IOException e) {
            linkDown(e);
        } catch (RuntimeException e) {
            failInternally(e);
        }
    }

    // ---- time ---------------------------------------------------------------------------------------------------

    private void repeatHello() {
        synchronized (lock) {
            if (peerHello != null || state == State.CLOSED) {
                return;
            }
        }
        post(ownHello);
    }

    private void tick() {
        long now = System.nanoTime();
        boolean hello;
        synchronized (lock) {
            hello = peerHello != null;
        }
        if (!hello && now - startedNs > config.handshakeTimeout().toNanos()) {
            // Streams whose first message goes unanswered are not trusted: they may have been paired against a stale
            // announcement and lead nowhere. The link sets up fresh ones.
            finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, "no answer from " + peerName() + " within "
                    + config.handshakeTimeout().toSeconds() + " s: is Hopwire running there?"), false);
            return;
        }
        long authSince = authenticatingSinceNs;
        if (authSince != 0 && state() == State.AUTHENTICATING
                && now - authSince > config.handshakeTimeout().toNanos()) {
            // A challenge is one round trip: a peer that keeps the session waiting far longer is not proving itself.
            authenticatingSinceNs = 0;
            endLater(() -> fail(SessionEnd.Reason.AUTH_FAILED, ProtocolError.AUTH_FAILED,
                    ControlMessage.Goodbye.AUTH_FAILED, peerName() + " did not prove who it is within "
                            + config.handshakeTimeout().toSeconds() + " s"));
            return;
        }
        if (hello && handlingSinceNs == 0 && now - lastHeardNs > config.silenceLimit().toNanos()) {
            finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, peerName() + " stopped answering"), false);
            return;
        }
        for (Map.Entry<Long, HalfGroup> e : halfGroups.entrySet()) {
            HalfGroup h = e.getValue();
            if (now - h.sinceNs() > HALF_GROUP_WAIT_NS && halfGroups.remove(e.getKey(), h)) {
                // The owner sent one half of a two-channel borrow and never the other: neither plays.
                refuseGroup(h.caps(), null, "channel " + h.caps().channel() + "'s other half (channel "
                        + h.caps().partner() + ") did not come within " + HALF_GROUP_WAIT_NS / 1_000_000_000L + " s");
            }
        }
        post(new ControlMessage.Heartbeat(heartbeatSequence++, now));
        for (Integer ch : lends.keySet()) {
            ChannelStats s = sentStats(ch);
            LatencyHistogram.Snapshot latency = s.latency();
            post(new ControlMessage.Stats(ch, s.frames(), s.bytes(), s.drops(), latency.p50Us(), latency.p99Us()));
        }
    }

    // ---- ending ---------------------------------------------------------------------------------------------------

    private String peerName() {
        synchronized (lock) {
            return peerHello != null ? "'" + PeerText.name(peerHello.hostName()) + "'" : "the host on "
                    + cablePeer.cableId();
        }
    }

    private void linkDown(IOException e) {
        if (e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return; // we closed it
        }
        finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, "the link to " + peerName() + " is gone: "
                + e.getMessage()), false);
    }

    /** Tells the peer what went wrong, says goodbye, and ends. */
    private void fail(SessionEnd.Reason reason, ProtocolError error, int goodbye, String text) {
        finish(new SessionEnd(reason, text), true, new ControlMessage.ErrorReport(error, text),
                new ControlMessage.Goodbye(goodbye));
    }

    /**
     * Ends the session once, for the first reason given; the farewell messages are queued only after the ending is
     * recorded, so the peer's reaction to them (closing its end) cannot overtake it here.
     */
    private void finish(SessionEnd why, boolean flush, ControlMessage... farewell) {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            end = why;
            setState(State.CLOSED);
            ended = true;
        }
        announceStates();
        boolean saysGoodbye = false;
        for (ControlMessage m : farewell) {
            if (m instanceof ControlMessage.Goodbye) {
                if (goodbyeSent) {
                    continue;
                }
                goodbyeSent = true;
                saysGoodbye = true;
            }
            controlWriter.offer(m);
        }
        controlWriter.finish();
        ticker.shutdownNow();
        dataWriter.stop();
        if (flush && !controlWriter.isWriterThread()) {
            try {
                controlWriter.join(config.goodbyeWait().toMillis());
                // A last close sends its CLOSE only if the ring has room and cancels what the peer has not read
                // within half a second: so the peer's answer is awaited first, and nothing said is lost.
                if (saysGoodbye && Thread.currentThread() != controlReader) {
                    peerFarewell.await(config.goodbyeWait().toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeBoth();
        streamsClosed.countDown();
        // Under the dispatch lock: a borrow that the reader is starting right now either completes first (and is
        // ended below) or sees CLOSED and never starts, so no borrow begins after onClosed.
        synchronized (dispatch) {
            SessionException ended = new SessionException(why);
            controls.sessionEnded(ended);
            new ArrayList<>(pendingBorrows.values()).forEach(f -> f.completeExceptionally(ended));
            pendingBorrows.clear();
            failFormats(-1, ended);
            for (Integer ch : List.copyOf(lends.keySet())) {
                lends.remove(ch);
                handler.onLendEnded(ch, ControlMessage.Stop.FAILED);
            }
            for (int ch = 0; ch < DataStreamDecoder.MAX_CHANNELS; ch++) {
                if (borrows.getAndSet(ch, null) != null) {
                    handler.onBorrowEnded(ch, ControlMessage.Stop.FAILED);
                }
            }
            handOff.closeAll();
            handler.onClosed(why);
        }
    }

    /** Closes both streams at once: each last close may take the driver up to half a second. */
    private void closeBoth() {
        Thread other = daemon(() -> closeQuietly(data), label + "-close");
        other.start();
        closeQuietly(control);
        try {
            other.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends the session at once, saying nothing more on the streams: for when they cannot be trusted any longer (this
     * host resumed from suspend and its byte streams have a hole).
     */
    public void abort(String why) {
        finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, why), false);
    }

    /** Whether the session ever became ready (paired or authenticated). */
    public boolean wasReady() {
        return wasReady;
    }

    private static void closeQuietly(StreamChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + c + ": " + e.getMessage());
        }
    }

    /** Waits until the session's threads have ended, for tests that look for leaks. */
    public boolean awaitThreads(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : List.of(controlReader, dataReader)) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                return false;
            }
        }
        controlWriter.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (controlWriter.isAlive()) {
            return false;
        }
        dataWriter.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (!handOff.awaitThreads(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
            return false;
        }
        return ticker.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
