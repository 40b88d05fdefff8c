package org.hopwire.engine.session;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.Subscription;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.pairing.StreamPairing;
import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.trust.PeerStore;

/**
 * Keeps a session with one peer (known by its UUID) alive across cable pulls: waits for the peer on the cable,
 * pairs the streams, runs a {@link PeerSession}, and when the link goes down removes the streams and waits again.
 * After a resume it asks again for what it was borrowing: an "always" consent lets it through at once, the others
 * ask the owner's person again.
 *
 * <p>Sessions ended by a person or by trust (pairing rejected, authentication failed, incompatible version) are
 * not retried: the link closes and says why.
 */
public final class PeerLink implements AutoCloseable {
    /** The control and data streams, at most 8 characters each (docs/protocol.md, section 1). */
    public static final String CONTROL_STREAM = "hwctl";
    public static final String DATA_STREAM = "hwdata";

    /** Where the link is. */
    public enum State { WAITING_FOR_PEER, CONNECTING, PAIRING, AUTHENTICATING, READY, SUSPENDED, CLOSED }

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(10);
    /**
     * A session that ended is retried after this pause, not at once: the withdrawal of the old streams'
     * announcements takes the driver up to ~1.2 s to reach the peer, and a stream made again before that may inherit
     * the stale HopIDs (the HELLO check catches it, at the cost of a handshake timeout).
     */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(1500);
    /**
     * A session that had become ready and then saw its streams out of step is set up again this many times in a
     * row: a resume from suspend on either host leaves a hole in the byte stream, which reads as a protocol error
     * on the other. Each new session authenticates again; past this many, the link stops.
     */
    private static final int PROTOCOL_ERROR_RETRIES = 3;
    /** A session that stayed ready this long counts as healthy: the retries above start again from zero. */
    private static final Duration HEALTHY = Duration.ofSeconds(30);

    private final Fabric fabric;
    private final UUID peerUuid;
    private final PeerSession.Identity local;
    private final PeerStore store;
    private final SessionHandler app;
    /** Read as each session starts: a change applies from the next session on. */
    private final Supplier<PeerSession.Config> config;
    private final Consumer<State> onState;
    private final Consumer<PeerSession> onSession;
    private final Thread supervisor;
    private final Object lock = new Object();
    private final Map<String, String> wanted = new ConcurrentHashMap<>();
    private final Map<Integer, String> borrowedDevice = new ConcurrentHashMap<>();
    private volatile State state = State.WAITING_FOR_PEER;
    private volatile PeerSession session;
    /** The current session's relay, set and cleared with {@link #session}. */
    private volatile Relay relay;
    private volatile SessionEnd lastEnd;
    private volatile boolean lastSessionWasReady;
    private volatile boolean closing;
    private volatile ControlMessage.Catalog catalog = new ControlMessage.Catalog(List.of());

    public PeerLink(Fabric fabric, UUID peerUuid, PeerSession.Identity local, PeerStore store, SessionHandler app,
                    PeerSession.Config config, Consumer<State> onState) {
        this(fabric, peerUuid, local, store, app, config, onState, s -> { });
    }

    /**
     * As above; {@code onSession} is given each new session before its threads start (media handlers attach to it
     * there, so no callback can find them unattached).
     */
    public PeerLink(Fabric fabric, UUID peerUuid, PeerSession.Identity local, PeerStore store, SessionHandler app,
                    PeerSession.Config config, Consumer<State> onState, Consumer<PeerSession> onSession) {
        this(fabric, peerUuid, local, store, app, constant(config), onState, onSession);
    }

    /**
     * As above, with the sessions' configuration read from {@code config} as each session starts (after a cable
     * pull, a resume...): a change, such as the data protection a person chose, applies from the next session on and
     * never to the one running.
     */
    public PeerLink(Fabric fabric, UUID peerUuid, PeerSession.Identity local, PeerStore store, SessionHandler app,
                    Supplier<PeerSession.Config> config, Consumer<State> onState,
                    Consumer<PeerSession> onSession) {
        this.onSession = Objects.requireNonNull(onSession, "onSession");
        this.fabric = Objects.requireNonNull(fabric, "fabric");
        this.peerUuid = Objects.requireNonNull(peerUuid, "peerUuid");
        this.local = Objects.requireNonNull(local, "local");
        this.store = Objects.requireNonNull(store, "store");
        this.app = Objects.requireNonNull(app, "app");
        this.config = Objects.requireNonNull(config, "config");
        this.onState = Objects.requireNonNull(onState, "onState");
        this.supervisor = new Thread(this::supervise, "hopwire-link-" + peerUuid.toString().substring(0, 8));
        supervisor.setDaemon(true);
        supervisor.start();
    }

    private static Supplier<PeerSession.Config> constant(PeerSession.Config config) {
        Objects.requireNonNull(config, "config");
        return () -> config;
    }

    public State state() {
        return state;
    }

    /** The session now running, if any. */
    public Optional<PeerSession> session() {
        return Optional.ofNullable(session);
    }

    /** Why the last session ended. */
    public Optional<SessionEnd> lastEnd() {
        return Optional.ofNullable(lastEnd);
    }

    /** What this host offers the peer, now and in every session after a resume. */
    public void setCatalog(ControlMessage.Catalog catalog) {
        PeerSession s;
        synchronized (lock) {
            this.catalog = catalog;
            s = session;
        }
        if (s != null) {
            s.setCatalog(catalog);
        }
    }

    /** Borrows a device and keeps borrowing it across resumes until it is given back or refused. */
    public CompletableFuture<Borrow> borrow(String deviceId, String preferredCaps) {
        PeerSession s;
        Relay r;
        synchronized (lock) {
            s = session;
            r = relay;
        }
        if (s == null || r == null) {
            return CompletableFuture.failedFuture(new SessionException("no session with the peer now (" + state
                    + ")"));
        }
        wanted.put(deviceId, preferredCaps);
        return r.ask(s, deviceId, preferredCaps);
    }

    /**
     * Asks the owner for another format of a borrowed channel ({@link PeerSession#requestFormat}). Once the owner
     * has changed it, a resume after the cable comes back asks for the new format, not the one first borrowed with.
     */
    public CompletableFuture<Borrow> requestFormat(int channel, String preferredCaps) throws SessionException {
        PeerSession s = session;
        if (s == null) {
            throw new SessionException("no session with the peer now (" + state + ")");
        }
        return s.requestFormat(channel, preferredCaps).whenComplete((b, e) -> {
            String device = borrowedDevice.get(channel);
            if (b != null && device != null) {
                wanted.replace(device, preferredCaps);
            }
        });
    }

    /** The format a resume asks for, for each device this link borrows or asks for again. */
    public java.util.Map<String, String> wantedFormats() {
        return java.util.Map.copyOf(wanted);
    }

    /** The devices this link borrows or asks for again after a resume; a refused one leaves it. */
    public java.util.Set<String> wanted() {
        return java.util.Set.copyOf(wanted.keySet());
    }

    /** Gives a borrowed device back for good. */
    public void giveBack(int channel) {
        String device = borrowedDevice.remove(channel);
        if (device != null) {
            wanted.remove(device);
            Relay r = relay;
            if (r != null) {
                r.asked.remove(device);
            }
        }
        PeerSession s = session;
        if (s != null) {
            s.giveBack(channel);
        }
    }

    private CompletableFuture<Borrow> track(CompletableFuture<Borrow> f, String deviceId) {
        return f.whenComplete((b, e) -> {
            if (e instanceof ConsentDeniedException || (e != null && e.getCause() instanceof ConsentDeniedException)) {
                wanted.remove(deviceId);
            } else if (b != null) {
                borrowedDevice.put(b.channel(), deviceId);
            }
        });
    }

    private void setState(State s) {
        state = s;
        onState.accept(s);
    }

    // ---- the supervisor -----------------------------------------------------------------------------------------

    private void supervise() {
        int protocolErrors = 0;
        try (Subscription ignored = fabric.addListener(this::onFabricEvent)) {
            while (!closing) {
                setState(State.WAITING_FOR_PEER);
                PeerHost peer = awaitPeer();
                setState(State.CONNECTING);
                long startedNs = System.nanoTime();
                SessionEnd end = runOnce(peer);
                lastEnd = end;
                if (System.nanoTime() - startedNs > HEALTHY.toNanos()) {
                    protocolErrors = 0;
                }
                boolean outOfStep = end.reason() == SessionEnd.Reason.PROTOCOL_ERROR && lastSessionWasReady
                        && protocolErrors++ < PROTOCOL_ERROR_RETRIES;
                if (closing || !(resumable(end) || outOfStep)) {
                    break;
                }
                setState(State.SUSPENDED);
                Thread.sleep(RETRY_PAUSE.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (FabricException e) {
            lastEnd = new SessionEnd(SessionEnd.Reason.LINK_DOWN, e.getMessage());
        } finally {
            setState(State.CLOSED);
        }
    }

    /** A resume from suspend: the open streams have a hole, so the session ends and fresh streams are made. */
    private void onFabricEvent(org.hopwire.engine.fabric.FabricEvent e) {
        if (e instanceof org.hopwire.engine.fabric.FabricEvent.Resumed) {
            PeerSession s = session;
            if (s != null) {
                s.abort("this host was suspended: the streams lost data, so they are set up again");
            }
        }
    }

    private static boolean resumable(SessionEnd end) {
        return end.reason() == SessionEnd.Reason.LINK_DOWN || end.reason() == SessionEnd.Reason.PEER_CLOSED;
    }

    private PeerHost awaitPeer() throws InterruptedException, FabricException {
        Object seen = new Object();
        try (Subscription ignored = fabric.addListener(e -> {
            synchronized (seen) {
                seen.notifyAll();
            }
        })) {
            while (true) {
                for (PeerHost p : fabric.peers()) {
                    if (p.uuid().equals(peerUuid) && p.streamService().isPresent()) {
                        return p;
                    }
                }
                synchronized (seen) {
                    seen.wait(250);
                }
            }
        }
    }

    /** One session, from stream pairing to its end; the streams are removed before it returns. */
    private SessionEnd runOnce(PeerHost peer) throws InterruptedException {
        PairedStreams streams;
        try {
            streams = StreamPairing.pair(fabric, peer, List.of(CONTROL_STREAM, DATA_STREAM),
                    StreamPairing.Options.DEFAULT);
        } catch (FabricException e) {
            return new SessionEnd(SessionEnd.Reason.LINK_DOWN, "could not set up the streams: " + e.getMessage());
        }
        lastSessionWasReady = false;
        try {
            // The read side first: what the peer writes before this end is open may be lost.
            StreamChannel data = fabric.open(streams.stream(DATA_STREAM).address(), OPEN_TIMEOUT);
            StreamChannel control;
            try {
                control = fabric.open(streams.stream(CONTROL_STREAM).address(), OPEN_TIMEOUT);
            } catch (FabricException e) {
                data.close();
                throw e;
            }
            CompletableFuture<SessionEnd> ended = new CompletableFuture<>();
            Relay relay = new Relay(ended);
            ControlMessage.Catalog offered = catalog;
            // The peer knows this host by its UUID in the peer's domain.
            PeerSession.Identity me = local.withUuid(fabric.localHostUuid(peer));
            PeerSession.Config sessionConfig = Objects.requireNonNull(config.get(), "config");
            PeerSession s = PeerSession.start(sessionConfig, me, new PeerInfo(peer.uuid(), peer.deviceName(),
                    peer.id()), control, data, store, relay, offered, onSession);
            ControlMessage.Catalog now;
            synchronized (lock) {
                session = s;
                this.relay = relay;
                now = catalog;
                if (closing) {
                    s.close();
                }
            }
            if (now != offered) {
                // Changed while the session started: setCatalog could not reach it yet.
                s.setCatalog(now);
            }
            relay.attach(s);
            try {
                return ended.get();
            } catch (java.util.concurrent.ExecutionException e) {
                return new SessionEnd(SessionEnd.Reason.LINK_DOWN, String.valueOf(e.getCause()));
            } finally {
                s.awaitThreads(Duration.ofSeconds(5));
                lastSessionWasReady = s.wasReady();
                synchronized (lock) {
                    session = null;
                    this.relay = null;
                }
            }
        } catch (IOException e) {
            return new SessionEnd(SessionEnd.Reason.LINK_DOWN, "could not open the streams: " + e.getMessage());
        } finally {
            streams.close();
        }
    }

    /** Closes the session (saying goodbye), removes the streams and stops. */
    @Override
    public void close() {
        closing = true;
        synchronized (lock) {
            if (session != null) {
                session.close();
            }
        }
        supervisor.interrupt();
        try {
            supervisor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Passes everything to the app's handler, and follows states and borrows for the link. */
    private final class Relay extends ForwardingSessionHandler {
        private final CompletableFuture<SessionEnd> ended;
        private PeerSession session;
        private boolean resumed;
        /**
         * This session's ask for each device, until the ask fails or the borrow ends: a device is asked for once per
         * session, whether the person asks or the link asks again after a resume, and a second ask gets the first
         * one's outcome. The owner refuses a second ask for a device its peer has, and a refusal makes the link
         * forget the device.
         */
        final Map<String, CompletableFuture<Borrow>> asked = new ConcurrentHashMap<>();

        Relay(CompletableFuture<SessionEnd> ended) {
            super(app);
            this.ended = ended;
        }

        /** The session is known: if it is ready already, resume now; else when it becomes ready. */
        void attach(PeerSession s) {
            synchronized (this) {
                session = s;
            }
            resumeOnce();
        }

        /** Asks again, once per session, for the devices the person still wants. */
        private void resumeOnce() {
            PeerSession s;
            synchronized (this) {
                if (resumed || session == null || session.state() != PeerSession.State.READY) {
                    return;
                }
                resumed = true;
                s = session;
            }
            wanted.forEach((device, caps) -> ask(s, device, caps));
        }

        /** Asks {@code s} for a device unless this session asked for it already: then that ask's outcome. */
        CompletableFuture<Borrow> ask(PeerSession s, String device, String caps) {
            CompletableFuture<Borrow> mine = new CompletableFuture<>();
            CompletableFuture<Borrow> earlier = asked.putIfAbsent(device, mine);
            if (earlier != null) {
                return earlier;
            }
            track(s.borrow(device, caps), device).whenComplete((b, e) -> {
                if (e != null) {
                    asked.remove(device, mine);
                    mine.completeExceptionally(e);
                } else {
                    mine.complete(b);
                }
            });
            return mine;
        }

        @Override
        public void onBorrowEnded(int channel, int reason) {
            String device = borrowedDevice.remove(channel);
            if (device != null) {
                asked.remove(device);
            }
            if (device != null && (reason == ControlMessage.Stop.REVOKED || reason == ControlMessage.Stop.RETURNED
                    || reason == ControlMessage.Stop.DEVICE_GONE)) {
                wanted.remove(device);
            }
            app.onBorrowEnded(channel, reason);
        }

        @Override
        public void onStateChanged(PeerSession.State s) {
            switch (s) {
                case PAIRING -> setState(State.PAIRING);
                case AUTHENTICATING -> setState(State.AUTHENTICATING);
                case READY -> {
                    setState(State.READY);
                    resumeOnce();
                }
                default -> {
                }
            }
            app.onStateChanged(s);
        }

        @Override
        public void onClosed(SessionEnd end) {
            app.onClosed(end);
            ended.complete(end);
        }
    }
}
