package org.hopwire.engine.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
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
import org.hopwire.engine.protocol.DataStreamDecoder;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.protocol.ProtocolException;
import org.hopwire.engine.protocol.WireWriter;
import org.hopwire.engine.trust.PairedPeer;
import org.hopwire.engine.trust.PairingCrypto;
import org.hopwire.engine.trust.PeerStore;

/**
 * One Hopwire session with one peer, over its control and data streams (docs/protocol.md, sections 5 to 9):
 * hello, pairing or authentication, then catalogs, borrowing and lending with consent, heartbeats.
 *
 * <p>One thread reads each stream and one writes each; everything else talks to the writers through bounded
 * queues. Nothing is lent without the owner's consent, and an unpaired or unproven peer sees nothing.
 */
public final class PeerSession implements AutoCloseable {
    /** 2: HELLO is repeated until answered, and GOODBYE is answered (docs/protocol.md, sections 5 and 10). */
    public static final int PROTOCOL_MAJOR = 2;
    public static final int PROTOCOL_MINOR = 0;
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
     * @param crc                CRC32C on every frame: cheap next to a copy, and catches a broken path at once
     * @param limits             reassembly bounds of the data stream
     */
    public record Config(int protocolMajor, Duration heartbeatInterval, Duration silenceLimit,
                         Duration handshakeTimeout, Duration helloRepeat, Duration goodbyeWait, int videoQueueFrames,
                         int audioQueueFrames, int writeBatchBytes, boolean crc, DataStreamDecoder.Limits limits) {
        public static final Config DEFAULT = new Config(PROTOCOL_MAJOR, Duration.ofMillis(500), Duration.ofSeconds(3),
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1), 8, 64, 1 << 20, true,
                DataStreamDecoder.Limits.DEFAULT);

        public Config withProtocolMajor(int major) {
            return new Config(major, heartbeatInterval, silenceLimit, handshakeTimeout, helloRepeat, goodbyeWait,
                    videoQueueFrames, audioQueueFrames, writeBatchBytes, crc, limits);
        }

        public Config withQueues(int video, int audio) {
            return new Config(protocolMajor, heartbeatInterval, silenceLimit, handshakeTimeout, helloRepeat,
                    goodbyeWait, video, audio, writeBatchBytes, crc, limits);
        }

        public Config withHandshakeTimeout(Duration timeout) {
            return new Config(protocolMajor, heartbeatInterval, silenceLimit, timeout, helloRepeat, goodbyeWait,
                    videoQueueFrames, audioQueueFrames, writeBatchBytes, crc, limits);
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
    private PairingCrypto.Ephemeral ephemeral;
    private byte[] pairingKey;
    private boolean localConfirmed;
    private boolean peerConfirmed;
    private byte[] authNonce;
    private PairedPeer paired;
    private long nextRequestId = 1;
    private ControlMessage.Catalog localCatalog = new ControlMessage.Catalog(List.of());
    /** What a peer that became ready first said before this host was ready; guarded by {@code lock}. */
    private final java.util.ArrayDeque<ControlMessage> early = new java.util.ArrayDeque<>();
    /**
     * Messages of the ready phase before this host is ready are kept up to this many (a catalog, a request or two
     * fit easily); beyond it they are refused as from an unpaired peer.
     */
    private static final int EARLY_LIMIT = 32;
    /** Held while ready-phase messages are delivered, so kept ones always go before newer ones. */
    private final Object dispatch = new Object();
    private ControlMessage.Catalog peerCatalog = new ControlMessage.Catalog(List.of());

    private final Map<Long, CompletableFuture<Borrow>> pendingBorrows = new ConcurrentHashMap<>();
    private final Map<Long, String> offers = new ConcurrentHashMap<>();
    private final Map<Long, String> requestedDevices = new ConcurrentHashMap<>();
    /** Borrowed channels by id: an array, so the per-frame look-up boxes nothing. */
    private final AtomicReferenceArray<Borrow> borrows = new AtomicReferenceArray<>(DataStreamDecoder.MAX_CHANNELS);
    private final Map<Integer, String> lends = new ConcurrentHashMap<>();
    private final Map<Integer, Long> lendCapsVersions = new ConcurrentHashMap<>();
    private final java.util.Set<Integer> paused = ConcurrentHashMap.newKeySet();
    /** Lent channels whose borrower said START. */
    private final java.util.Set<Integer> started = ConcurrentHashMap.newKeySet();
    private final ChannelStats dataSent = new ChannelStats();
    /** Received frames' buffers, given back with {@link #recycle}; 256 MiB bounds what it keeps. */
    private final org.hopwire.engine.protocol.BufferPool pool = new org.hopwire.engine.protocol.BufferPool(256L << 20);
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

    private final BlockingQueue<ControlMessage> outbox = new ArrayBlockingQueue<>(1024);
    private final DataWriter dataWriter;
    private final Thread controlReader;
    private final Thread controlWriter;
    private final Thread dataReader;
    private final ScheduledExecutorService ticker;
    private volatile boolean finishing;
    private final long startedNs = System.nanoTime();
    private volatile long lastHeardNs = startedNs;
    private ControlMessage.Hello ownHello;
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
        this.dataWriter = new DataWriter(data, config.crc(), config.writeBatchBytes(), label + "-data-write",
                dataSent, e -> linkDown(e), this::frameSent);
        this.controlReader = daemon(this::readControl, label + "-ctl-read");
        this.controlWriter = daemon(this::writeControl, label + "-ctl-write");
        this.dataReader = daemon(this::readData, label + "-data-read");
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, label + "-tick"));
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
        s.ownHello = new ControlMessage.Hello(config.protocolMajor(), PROTOCOL_MINOR, local.uuid(), local.hostName(),
                local.appVersion(), 1);
        s.post(s.ownHello);
        long repeat = config.helloRepeat().toMillis();
        synchronized (s.lock) {
            s.helloRepeater = s.ticker.scheduleWithFixedDelay(s::repeatHello, repeat, repeat, TimeUnit.MILLISECONDS);
        }
        long tick = config.heartbeatInterval().toMillis();
        s.ticker.scheduleWithFixedDelay(s::tick, tick, tick, TimeUnit.MILLISECONDS);
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
            return peerHello == null ? cablePeer : new PeerInfo(cablePeer.uuid(), peerHello.hostName(),
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
            post(catalog);
        }
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
        if (borrows.getAndSet(channel, null) != null) {
            post(new ControlMessage.Stop(channel, ControlMessage.Stop.RETURNED));
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

    /** Changes a lent channel's media type mid-stream: the borrower hears of it before the frames that follow. */
    public void renegotiate(int channel, String caps) throws SessionException {
        if (!lends.containsKey(channel)) {
            throw new SessionException("channel " + channel + " is not lent");
        }
        long version = lendCapsVersions.merge(channel, 1L, Long::sum);
        post(new ControlMessage.Caps(channel, requestOfLend(channel), version, caps));
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
        if (lends.remove(channel) != null) {
            started.remove(channel);
            dataWriter.close(channel);
            if (why != null) {
                post(new ControlMessage.ErrorReport(reason == ControlMessage.Stop.DEVICE_GONE
                        ? ProtocolError.DEVICE_GONE : ProtocolError.INTERNAL, why));
            }
            post(new ControlMessage.Stop(channel, reason));
            handler.onLendEnded(channel, reason);
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
        if (!outbox.offer(m)) {
            // A thousand messages unsent: the peer has stopped reading its control stream.
            finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, peerName() + " stopped reading the control stream"),
                    false);
        }
    }

    private void writeControl() {
        WireWriter w = new WireWriter(4096);
        try {
            while (true) {
                ControlMessage m = outbox.poll(50, TimeUnit.MILLISECONDS);
                if (m == null) {
                    if (finishing) {
                        return;
                    }
                    continue;
                }
                w.clear();
                do {
                    ControlCodec.encode(m, w);
                } while (w.position() < 65_536 && (m = outbox.poll()) != null);
                control.writeFully(w.toBuffer());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            linkDown(e);
        }
    }

    private void readControl() {
        ControlCodec.Decoder decoder = new ControlCodec.Decoder();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                buf.clear();
                int n = control.read(buf);
                if (n < 0) {
                    peerFarewell.countDown();
                    finish(new SessionEnd(SessionEnd.Reason.PEER_CLOSED, peerName() + " closed the session"
                            + (peerErrorText == null ? "" : ": " + peerErrorText)), false);
                    return;
                }
                buf.flip();
                decoder.feed(buf, this::handle);
            }
        } catch (ProtocolException e) {
            boolean heard;
            synchronized (lock) {
                heard = peerHello != null;
            }
            if (!heard) {
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

    /**
     * Garbage before the peer's HELLO on the control stream, or any undecodable data before the session is ready,
     * means the streams do not lead to this session's peer: a follower that inherited a stale announcement gets
     * HopIDs that may now belong to another of the peer's streams. Nothing was trusted yet; the link tears the
     * streams down and pairs them again.
     */
    private void misrouted(String stream, ProtocolException e) {
        finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, "the " + stream + " stream to " + peerName()
                + " carried something else than this session before it was set up (" + e.getMessage()
                + "): it may follow a stale announcement, so the streams are set up again"), false);
    }

    /** A bug here or in a handler must end the session with words, not kill a thread and leave it hanging. */
    private void failInternally(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "session with " + peerName() + " failed", e);
        fail(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.INTERNAL, ControlMessage.Goodbye.PROTOCOL_ERROR,
                "internal error in the session with " + peerName() + ": " + e);
    }

    private void handle(ControlMessage m) {
        lastHeardNs = System.nanoTime();
        try {
            if (m instanceof ControlMessage.Hello h) {
                onHello(h);
            } else if (m instanceof ControlMessage.Heartbeat hb) {
                post(new ControlMessage.HeartbeatAck(hb.sequence(), hb.sentNs()));
            } else if (m instanceof ControlMessage.HeartbeatAck a) {
                roundTripNs = System.nanoTime() - a.echoedSentNs();
            } else if (m instanceof ControlMessage.Goodbye g) {
                peerFarewell.countDown();
                // Answered, so the peer knows its GOODBYE arrived before it closes its end (section 10).
                finish(new SessionEnd(goodbyeReason(g.reason()), peerName() + " ended the session"
                        + (peerErrorText == null ? "" : ": " + peerErrorText)), true,
                        new ControlMessage.Goodbye(ControlMessage.Goodbye.SHUTTING_DOWN));
            } else if (m instanceof ControlMessage.ErrorReport e) {
                onPeerError(e);
            } else if (m instanceof ControlMessage.PairStart p) {
                onPairStart(p);
            } else if (m instanceof ControlMessage.PairConfirm) {
                onPairConfirm();
            } else if (m instanceof ControlMessage.PairReject r) {
                finish(new SessionEnd(SessionEnd.Reason.PAIRING_REJECTED, peerName() + " rejected pairing: "
                        + r.reason()), false);
            } else if (m instanceof ControlMessage.AuthChallenge c) {
                onAuthChallenge(c);
            } else if (m instanceof ControlMessage.AuthResponse r) {
                onAuthResponse(r);
            } else {
                onReadyMessage(m);
            }
        } catch (IOException e) {
            fail(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.INTERNAL, ControlMessage.Goodbye.PROTOCOL_ERROR,
                    "could not keep the pairing with " + peerName() + ": " + e.getMessage());
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

    private void onPeerError(ControlMessage.ErrorReport e) {
        boolean ready;
        synchronized (lock) {
            peerErrorText = e.text();
            ready = state == State.READY;
        }
        if (ready) {
            handler.onPeerError(e.error(), e.text());
        }
    }

    private void onHello(ControlMessage.Hello h) throws IOException {
        synchronized (lock) {
            if (peerHello != null) {
                // The peer repeats its HELLO until it hears ours: the same one again is expected, another is not.
                if (!peerHello.equals(h)) {
                    throw new ProtocolException(ProtocolError.MALFORMED, "a second, different HELLO");
                }
                return;
            }
            peerHello = h;
            if (helloRepeater != null) {
                helloRepeater.cancel(false);
            }
        }
        // The peer reads now (it opened before sending), so this copy of ours arrives even if the first was lost;
        // it goes before anything else this host says.
        post(ownHello);
        if (!h.host().equals(cablePeer.uuid())) {
            fail(SessionEnd.Reason.AUTH_FAILED, ProtocolError.AUTH_FAILED, ControlMessage.Goodbye.AUTH_FAILED,
                    "the host on " + cablePeer.cableId() + " says it is " + h.host() + " but the cable reports "
                            + cablePeer.uuid() + ": not talking to it");
            return;
        }
        if (h.major() != config.protocolMajor()) {
            fail(SessionEnd.Reason.INCOMPATIBLE_VERSION, ProtocolError.INCOMPATIBLE_VERSION,
                    ControlMessage.Goodbye.INCOMPATIBLE_VERSION, "incompatible version: this host speaks protocol "
                            + config.protocolMajor() + "." + PROTOCOL_MINOR + ", " + h.hostName() + " speaks "
                            + h.major() + "." + h.minor() + " (Hopwire " + h.appVersion() + "): update the older one");
            return;
        }
        Optional<PairedPeer> known = store.find(h.host());
        synchronized (lock) {
            if (known.isPresent()) {
                paired = known.get();
                authNonce = PairingCrypto.nonce(random);
                setState(State.AUTHENTICATING);
            } else {
                ephemeral = PairingCrypto.newEphemeral(random);
                setState(State.PAIRING);
            }
        }
        announceStates();
        post(known.isPresent() ? new ControlMessage.AuthChallenge(authNonce)
                : new ControlMessage.PairStart(ephemeral.nonce(), ephemeral.publicKey()));
    }

    private void onPairStart(ControlMessage.PairStart p) throws IOException {
        String code;
        synchronized (lock) {
            if (state == State.AUTHENTICATING) {
                failLater("%1$s no longer knows %2$s (it forgot the pairing): to pair again, forget %1$s"
                        + " on %2$s");
                return;
            }
            requireState(State.PAIRING, "PAIR_START");
            try {
                pairingKey = PairingCrypto.pairingKey(ephemeral, p.publicKey(), p.nonce(), local.uuid(),
                        cablePeer.uuid());
            } catch (GeneralSecurityException e) {
                throw new ProtocolException(ProtocolError.MALFORMED, "unusable pairing key: " + e.getMessage());
            }
            code = PairingCrypto.verificationCode(pairingKey);
        }
        handler.confirmPairing(peer(), code).whenComplete((ok, error) -> {
            if (Boolean.TRUE.equals(ok) && error == null) {
                synchronized (lock) {
                    localConfirmed = true;
                }
                post(new ControlMessage.PairConfirm());
                completePairingIfBoth();
            } else {
                finish(new SessionEnd(SessionEnd.Reason.PAIRING_REJECTED, "pairing with " + peerName()
                        + " was rejected on this host"), true,
                        new ControlMessage.PairReject("the person on " + local.hostName() + " rejected the code"),
                        new ControlMessage.Goodbye(ControlMessage.Goodbye.PAIRING_REJECTED));
            }
        });
    }

    private void onPairConfirm() throws IOException {
        synchronized (lock) {
            requireState(State.PAIRING, "PAIR_CONFIRM");
            if (pairingKey == null) {
                throw new ProtocolException(ProtocolError.MALFORMED, "PAIR_CONFIRM before PAIR_START");
            }
            peerConfirmed = true;
        }
        completePairingIfBoth();
    }

    private void completePairingIfBoth() {
        PairedPeer peer;
        synchronized (lock) {
            if (!localConfirmed || !peerConfirmed || state != State.PAIRING) {
                return;
            }
            peer = new PairedPeer(cablePeer.uuid(), pairingKey, peerHello.hostName(), Instant.now(),
                    java.util.Set.of());
            paired = peer;
        }
        try {
            store.save(peer);
        } catch (IOException e) {
            fail(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.INTERNAL, ControlMessage.Goodbye.SHUTTING_DOWN,
                    "could not remember the pairing with " + peerName() + " in " + store.directory() + ": "
                            + e.getMessage());
            return;
        }
        becomeReady();
    }

    private void onAuthChallenge(ControlMessage.AuthChallenge c) throws IOException {
        byte[] answer;
        synchronized (lock) {
            if (state == State.PAIRING) {
                failLater("%1$s remembers a pairing with %2$s that %2$s does not have: to pair again, forget %2$s"
                        + " on %1$s");
                return;
            }
            requireState(State.AUTHENTICATING, "AUTH_CHALLENGE");
            answer = PairingCrypto.authResponse(paired.key(), cablePeer.uuid(), local.uuid(), c.nonce());
        }
        post(new ControlMessage.AuthResponse(answer));
    }

    private void onAuthResponse(ControlMessage.AuthResponse r) throws IOException {
        boolean ok;
        synchronized (lock) {
            requireState(State.AUTHENTICATING, "AUTH_RESPONSE");
            byte[] expected = PairingCrypto.authResponse(paired.key(), local.uuid(), cablePeer.uuid(), authNonce);
            ok = PairingCrypto.sameSecret(expected, r.mac());
        }
        if (ok) {
            becomeReady();
        } else {
            fail(SessionEnd.Reason.AUTH_FAILED, ProtocolError.AUTH_FAILED, ControlMessage.Goodbye.AUTH_FAILED,
                    "the host on " + cablePeer.cableId() + " could not prove it is the " + peerName()
                            + " paired with this host: it may be another device using its UUID. Forget it and pair"
                            + " again only if you trust it");
        }
    }

    /** Fails with a text naming both hosts, {@code %1$s} the peer and {@code %2$s} this one, for either screen. */
    private void failLater(String format) {
        String text = String.format(format, peerName(), "'" + local.hostName() + "'");
        // Called holding the lock: the failure itself (which notifies) runs after it is released.
        CompletableFuture.runAsync(() -> fail(SessionEnd.Reason.AUTH_FAILED, ProtocolError.AUTH_FAILED,
                ControlMessage.Goodbye.AUTH_FAILED, text));
    }

    private void requireState(State expected, String what) throws ProtocolException {
        if (state != expected) {
            throw new ProtocolException(ProtocolError.MALFORMED, what + " while " + state);
        }
    }

    private void becomeReady() {
        ControlMessage.Catalog catalog;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            setState(State.READY);
            catalog = localCatalog;
        }
        announceStates();
        post(catalog);
        // Messages the reader kept while this host was not ready yet go first, before anything it reads next.
        synchronized (dispatch) {
            try {
                replayEarly();
            } catch (IOException e) {
                fail(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.MALFORMED,
                        ControlMessage.Goodbye.PROTOCOL_ERROR, e.getMessage());
            }
        }
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

    private void onReadyMessage(ControlMessage m) throws IOException {
        synchronized (lock) {
            if (state != State.READY) {
                if (state == State.PAIRING && peerConfirmed && early.size() < EARLY_LIMIT) {
                    // The peer confirmed and may be ready a moment before this host (it read our PAIR_CONFIRM while
                    // we still save the pairing): keep what it says until this host is ready too, or the session
                    // fails. (Authentication has no such gap: each AUTH_RESPONSE precedes its sender's catalog.)
                    early.add(m);
                    return;
                }
                // An unpaired or unproven peer sees nothing and opens nothing.
                post(new ControlMessage.ErrorReport(ProtocolError.NOT_ALLOWED, "not paired and authenticated yet"));
                return;
            }
        }
        synchronized (dispatch) {
            replayEarly();
            dispatchReady(m);
        }
    }

    /** Delivers what the peer said before this host was ready, in order; holding {@code dispatch}. */
    private void replayEarly() throws IOException {
        while (true) {
            ControlMessage e;
            synchronized (lock) {
                e = early.poll();
            }
            if (e == null) {
                return;
            }
            dispatchReady(e);
        }
    }

    private void dispatchReady(ControlMessage m) throws IOException {
        if (m instanceof ControlMessage.Catalog c) {
            synchronized (lock) {
                peerCatalog = c;
            }
            handler.onCatalog(c);
        } else if (m instanceof ControlMessage.BorrowRequest r) {
            onBorrowRequest(r.requestId(), r.deviceId(), r.preferredCaps());
        } else if (m instanceof ControlMessage.LendOffer o) {
            requestedDevices.put(o.requestId(), o.deviceId());
            handler.acceptOffer(peer(), o.deviceId()).whenComplete((yes, e) -> post(new ControlMessage.Consent(
                    o.requestId(), Boolean.TRUE.equals(yes) && e == null ? ControlMessage.Consent.ALLOW_ONCE
                            : ControlMessage.Consent.DENY)));
        } else if (m instanceof ControlMessage.Consent c) {
            onConsent(c);
        } else if (m instanceof ControlMessage.Caps c) {
            onCaps(c);
        } else if (m instanceof ControlMessage.Start st) {
            // The borrower has set the channel up and reads it: frames may flow, none can arrive unannounced.
            String device = lends.get(st.channel());
            if (device != null && started.add(st.channel())) {
                dataWriter.start(st.channel());
                handler.onLendStarted(st.channel(), device);
            }
        } else if (m instanceof ControlMessage.Stop st) {
            onStop(st);
        } else if (m instanceof ControlMessage.Pause pa && lends.containsKey(pa.channel())) {
            if (pa.paused()) {
                paused.add(pa.channel());
            } else {
                paused.remove(pa.channel());
            }
            handler.onPauseRequested(pa.channel(), pa.paused());
        } else if (m instanceof ControlMessage.KeyframeRequest k && lends.containsKey(k.channel())) {
            handler.onKeyFrameRequested(k.channel());
        }
        if (m instanceof ControlMessage.Stats st) {
            handler.onPeerStats(st);
        }
    }


    // ---- owner side ------------------------------------------------------------------------------------------------

    private boolean offers(String deviceId) {
        synchronized (lock) {
            return localCatalog.devices().stream().anyMatch(d -> d.id().equals(deviceId));
        }
    }

    private void onBorrowRequest(long requestId, String deviceId, String preferredCaps) {
        if (!offers(deviceId)) {
            // The reason first, so the borrower has it when the refusal arrives.
            post(new ControlMessage.ErrorReport(ProtocolError.DEVICE_GONE, "no device " + deviceId + " on "
                    + local.hostName()));
            post(new ControlMessage.Consent(requestId, ControlMessage.Consent.DENY));
            return;
        }
        PairedPeer p;
        synchronized (lock) {
            p = paired;
        }
        if (p.alwaysAllowed().contains(deviceId)) {
            grant(requestId, deviceId, preferredCaps, ControlMessage.Consent.ALLOW_ALWAYS);
            return;
        }
        handler.askConsent(peer(), deviceId).whenComplete((answer, e) -> {
            if (e != null || answer == null || answer == SessionHandler.Consent.DENY) {
                post(new ControlMessage.Consent(requestId, ControlMessage.Consent.DENY));
                return;
            }
            if (answer == SessionHandler.Consent.ALLOW_ALWAYS) {
                rememberAlways(deviceId);
            }
            grant(requestId, deviceId, preferredCaps, answer == SessionHandler.Consent.ALLOW_ALWAYS
                    ? ControlMessage.Consent.ALLOW_ALWAYS : ControlMessage.Consent.ALLOW_ONCE);
        });
    }

    private void rememberAlways(String deviceId) {
        synchronized (lock) {
            paired = paired.withAlwaysAllowed(deviceId);
        }
        try {
            store.save(paired);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remember 'always' for " + deviceId + ": "
                    + e.getMessage());
        }
    }

    private void grant(long requestId, String deviceId, String preferredCaps, int answer) {
        String caps;
        try {
            caps = handler.prepareLend(deviceId, preferredCaps);
        } catch (SessionHandler.LendRefused e) {
            post(new ControlMessage.ErrorReport(e.error(), e.getMessage()));
            post(new ControlMessage.Consent(requestId, ControlMessage.Consent.DENY));
            return;
        }
        int channel;
        synchronized (lock) {
            channel = 0;
            while (lends.containsKey(channel)) {
                channel++;
            }
            lends.put(channel, deviceId);
        }
        lendRequests.put(channel, requestId);
        lendCapsVersions.put(channel, 1L);
        paused.remove(channel);
        dataWriter.open(channel, caps.startsWith("audio/"), caps.startsWith("audio/") ? config.audioQueueFrames()
                : config.videoQueueFrames(), sentStats(channel));
        started.remove(channel);
        post(new ControlMessage.Consent(requestId, answer));
        post(new ControlMessage.Caps(channel, requestId, 1, caps));
        // Frames sent from now on queue until the borrower's START says it has set the channel up.
    }

    // ---- borrower side ----------------------------------------------------------------------------------------------

    private void onConsent(ControlMessage.Consent c) {
        String offered = offers.remove(c.requestId());
        if (offered != null) {
            if (c.answer() != ControlMessage.Consent.DENY) {
                grant(c.requestId(), offered, "", ControlMessage.Consent.ALLOW_ONCE);
            } else {
                handler.onOfferDeclined(offered);
            }
            return;
        }
        if (c.answer() == ControlMessage.Consent.DENY) {
            CompletableFuture<Borrow> f = pendingBorrows.remove(c.requestId());
            if (f != null) {
                String why;
                synchronized (lock) {
                    why = peerErrorText;
                }
                f.completeExceptionally(new ConsentDeniedException(peerName() + " did not lend the device"
                        + (why == null ? "" : ": " + why)));
            }
        }
    }

    private void onCaps(ControlMessage.Caps c) {
        Borrow existing = borrows.get(c.channel());
        String deviceId = existing != null ? existing.deviceId()
                : requestedDevices.getOrDefault(c.requestId(), "");
        if (existing == null) {
            // A new channel: the data reader forgets anything an earlier use of this id left.
            channelResets.add(c.channel());
        }
        Borrow now = new Borrow(c.channel(), deviceId, c.caps());
        borrows.set(c.channel(), now);
        if (existing != null) {
            synchronized (capsGate) {
                capsGate.version[c.channel()] = (int) c.capsVersion();
                handler.onCapsChanged(now);
                capsGate.release(c.channel(), this::deliver, this::recycle);
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
        // Set up to receive: tell the owner to start, then the borrower's app.
        post(new ControlMessage.Start(c.channel()));
        CompletableFuture<Borrow> f = pendingBorrows.remove(c.requestId());
        if (f != null) {
            f.complete(now);
        }
        handler.onBorrowStarted(now);
    }

    private void frameSent(MediaFrame frame) {
        try {
            handler.onFrameSent(frame);
        } catch (RuntimeException e) {
            // A buffer not given back is only collected; the stream goes on.
        }
    }

    private void deliver(MediaFrame frame) {
        receivedStats(frame.channel()).frame(frame.payload().remaining());
        handler.onFrame(frame);
    }

    private void onStop(ControlMessage.Stop s) {
        if (borrows.getAndSet(s.channel(), null) != null) {
            handler.onBorrowEnded(s.channel(), s.reason());
        }
        if (lends.remove(s.channel()) != null) {
            started.remove(s.channel());
            dataWriter.close(s.channel());
            handler.onLendEnded(s.channel(), s.reason());
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
                            deliver(frame);
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
                if (borrows.getAndSet(ch, null) != null) {
                    post(new ControlMessage.Stop(ch, ControlMessage.Stop.FAILED));
                    post(new ControlMessage.ErrorReport(reason.error(), reason.getMessage()));
                    handler.onBorrowEnded(ch, ControlMessage.Stop.FAILED);
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
        try {
            while (true) {
                buf.clear();
                int n = data.read(buf);
                if (n < 0) {
                    return; // the control stream reports the ending
                }
                for (Integer ch; (ch = channelResets.poll()) != null; ) {
                    decoder.resetChannel(ch);
                }
                dataReceived.frame(n);
                buf.flip();
                decoder.feed(buf);
            }
        } catch (ProtocolException e) {
            if (!wasReady) {
                misrouted("data", e);
            } else {
                fail(SessionEnd.Reason.PROTOCOL_ERROR, e.error(), ControlMessage.Goodbye.PROTOCOL_ERROR,
                        peerName() + " broke the protocol on the data stream: " + e.getMessage());
            }
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
        if (hello && now - lastHeardNs > config.silenceLimit().toNanos()) {
            finish(new SessionEnd(SessionEnd.Reason.LINK_DOWN, peerName() + " stopped answering"), false);
            return;
        }
        post(new ControlMessage.Heartbeat(heartbeatSequence++, now));
        for (Integer ch : lends.keySet()) {
            ChannelStats s = sentStats(ch);
            post(new ControlMessage.Stats(ch, s.frames(), s.bytes(), s.drops(), s.latencyUs(0.5), s.latencyUs(0.99)));
        }
    }

    // ---- ending ---------------------------------------------------------------------------------------------------

    private String peerName() {
        synchronized (lock) {
            return peerHello != null ? "'" + peerHello.hostName() + "'" : "the host on " + cablePeer.cableId();
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
            outbox.offer(m);
        }
        finishing = true;
        ticker.shutdownNow();
        dataWriter.stop();
        if (flush && Thread.currentThread() != controlWriter) {
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
            new ArrayList<>(pendingBorrows.values()).forEach(f -> f.completeExceptionally(ended));
            pendingBorrows.clear();
            for (Integer ch : List.copyOf(lends.keySet())) {
                lends.remove(ch);
                handler.onLendEnded(ch, ControlMessage.Stop.FAILED);
            }
            for (int ch = 0; ch < DataStreamDecoder.MAX_CHANNELS; ch++) {
                if (borrows.getAndSet(ch, null) != null) {
                    handler.onBorrowEnded(ch, ControlMessage.Stop.FAILED);
                }
            }
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
        for (Thread t : List.of(controlReader, controlWriter, dataReader)) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                return false;
            }
        }
        dataWriter.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return ticker.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
