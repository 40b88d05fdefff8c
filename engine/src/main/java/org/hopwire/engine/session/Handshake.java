package org.hopwire.engine.session;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlSeal;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.protocol.WireWriter;
import org.hopwire.engine.trust.PairedPeer;
import org.hopwire.engine.trust.PairingCrypto;
import org.hopwire.engine.trust.PeerStore;

/**
 * The start of a session, on its own (docs/protocol.md, sections 5 and 6): {@code HELLO}, then pairing with a
 * committed code or authentication of a known peer, and this session's keys. It neither reads nor writes a stream
 * and runs no thread: the session hands it each handshake message and each answer of its person, and it speaks
 * through a {@link Port}. Every step is allowed once, in its place; anything else fails the handshake, and nothing is
 * stored unless both people confirmed the code of the very key that is stored.
 *
 * <p>Thread-safe: the reader of the control stream and the thread that brings the person's answer both call it.
 */
final class Handshake {
    /** Where the handshake's words and questions go. Called holding the handshake's lock: must not block. */
    interface Port {
        /** Queues a message for the peer, after everything queued before. */
        void send(ControlMessage m);

        /** Queues {@code m}; every message queued after it is sealed under {@code seal}. */
        void sendThenSeal(ControlMessage m, ControlSeal seal);

        /** Every message the peer sends after the one being handled carries a tag under {@code seal}. */
        void expectSealed(ControlSeal seal);

        /** Shows this host's person the code; the answer comes back through {@link #personAnswered}. */
        void askPerson(String code);

        /** The session moved to a new phase. */
        void phase(PeerSession.State state);
    }

    /** The handshake cannot go on: the session ends with this reason, error and goodbye, after {@code farewell}. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient SessionEnd.Reason reason;
        final transient ProtocolError error;
        final int goodbye;
        final transient List<ControlMessage> farewell;

        Failure(SessionEnd.Reason reason, ProtocolError error, int goodbye, String text, ControlMessage... farewell) {
            super(text);
            this.reason = reason;
            this.error = error;
            this.goodbye = goodbye;
            this.farewell = List.of(farewell);
        }
    }

    /** What a finished handshake gives the ready session. */
    record Result(PairedPeer peer, PairingCrypto.SessionKeys keys, FrameSeal.Protection protection) {
    }

    private enum Phase { HELLO, PAIRING, AUTHENTICATING, DONE, FAILED }

    private final int major;
    private final int minor;
    private final PeerSession.Identity local;
    private final PeerInfo cablePeer;
    private final FrameSeal.Protection wanted;
    private final PeerStore store;
    private final SecureRandom random;
    private final Port port;
    private final ControlMessage.Hello ownHello;

    private Phase phase = Phase.HELLO;
    private ControlMessage.Hello peerHello;
    private byte[] transcript;
    /** Whether this host commits first in pairing: the lower UUID does (section 6.1). */
    private final boolean committer;

    private PairingCrypto.Ephemeral ephemeral;
    private byte[] peerCommitment;
    private boolean peerValuesSeen;
    /** The one key of this session's pairing attempt; the code shown and both confirmations are bound to it. */
    private byte[] attemptKey;
    private boolean personAsked;
    private boolean localConfirmed;
    private boolean peerConfirmed;

    private PairedPeer paired;
    private byte[] ownChallenge;
    private byte[] peerChallenge;
    private PairingCrypto.SessionKeys keys;
    private Result result;

    Handshake(int major, int minor, PeerSession.Identity local, PeerInfo cablePeer, FrameSeal.Protection wanted,
              PeerStore store, SecureRandom random, Port port) {
        this.major = major;
        this.minor = minor;
        this.local = Objects.requireNonNull(local, "local");
        this.cablePeer = Objects.requireNonNull(cablePeer, "cablePeer");
        this.wanted = Objects.requireNonNull(wanted, "wanted");
        this.store = Objects.requireNonNull(store, "store");
        this.random = Objects.requireNonNull(random, "random");
        this.port = Objects.requireNonNull(port, "port");
        this.committer = PairingCrypto.lower(local.uuid(), cablePeer.uuid());
        this.ownHello = new ControlMessage.Hello(major, minor, local.uuid(), local.hostName(), local.appVersion(),
                wanted.bits());
    }

    /** This host's {@code HELLO}: the first message, repeated until the peer's arrives (section 5). */
    ControlMessage.Hello hello() {
        return ownHello;
    }

    /** The peer's {@code HELLO}, once it has arrived. */
    synchronized Optional<ControlMessage.Hello> peerHello() {
        return Optional.ofNullable(peerHello);
    }

    /** What the session runs on once both hosts are proven; empty until then. */
    synchronized Optional<Result> result() {
        return Optional.ofNullable(result);
    }

    private String peerName() {
        return peerHello != null ? "'" + PeerText.name(peerHello.hostName()) + "'" : "the host on "
                + cablePeer.cableId();
    }

    private Failure broken(String text) {
        return new Failure(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.MALFORMED,
                ControlMessage.Goodbye.PROTOCOL_ERROR, peerName() + " broke the handshake: " + text);
    }

    private Failure interfered(String text) {
        return new Failure(SessionEnd.Reason.AUTH_FAILED, ProtocolError.AUTH_FAILED, ControlMessage.Goodbye.AUTH_FAILED,
                text);
    }

    // ---- HELLO --------------------------------------------------------------------------------------------------

    /** The peer's {@code HELLO}; returns false for an identical repeat, which is ignored. */
    private boolean onHello(ControlMessage.Hello h) throws Failure {
        if (peerHello != null) {
            if (!peerHello.equals(h)) {
                throw broken("a second, different HELLO");
            }
            return false;
        }
        peerHello = h;
        if (!h.host().equals(cablePeer.uuid())) {
            throw interfered("the host on " + cablePeer.cableId() + " says it is " + h.host() + " but the cable reports "
                    + cablePeer.uuid() + ": not talking to it");
        }
        if (h.major() != major) {
            throw new Failure(SessionEnd.Reason.INCOMPATIBLE_VERSION, ProtocolError.INCOMPATIBLE_VERSION,
                    ControlMessage.Goodbye.INCOMPATIBLE_VERSION, "incompatible version: this host speaks protocol "
                            + major + "." + minor + ", " + PeerText.name(h.hostName()) + " speaks " + h.major() + "."
                            + h.minor() + " (Hopwire " + PeerText.name(h.appVersion()) + "): update the older one");
        }
        transcript = PairingCrypto.transcript(local.uuid(), body(ownHello), cablePeer.uuid(), body(h));
        Optional<PairedPeer> known;
        try {
            known = store.find(h.host()).filter(PairedPeer::trusted);
        } catch (IOException e) {
            throw new Failure(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.INTERNAL,
                    ControlMessage.Goodbye.SHUTTING_DOWN, "could not read the pairing with " + peerName() + ": "
                            + e.getMessage());
        }
        if (known.isPresent()) {
            paired = known.get();
            startAuthentication();
        } else {
            phase = Phase.PAIRING;
            port.phase(PeerSession.State.PAIRING);
            ephemeral = PairingCrypto.newEphemeral(random);
            if (committer) {
                port.send(new ControlMessage.PairCommit(PairingCrypto.commitment(local.uuid(), ephemeral.nonce(),
                        ephemeral.publicKey())));
            }
        }
        return true;
    }

    private static byte[] body(ControlMessage.Hello h) {
        WireWriter w = new WireWriter(128);
        h.writeBody(w);
        byte[] b = new byte[w.position()];
        w.toBuffer().get(b);
        return b;
    }

    // ---- pairing ------------------------------------------------------------------------------------------------

    private void requirePairing(String what) throws Failure {
        if (phase == Phase.AUTHENTICATING) {
            throw interfered(String.format("%1$s no longer knows %2$s (it forgot the pairing): to pair again, forget"
                    + " %1$s on %2$s", peerName(), "'" + local.hostName() + "'"));
        }
        if (phase != Phase.PAIRING) {
            throw broken(what + " while " + phase.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void onPairCommit(ControlMessage.PairCommit c) throws Failure {
        requirePairing("PAIR_COMMIT");
        if (committer) {
            throw broken("PAIR_COMMIT from the host that must answer one (the higher UUID)");
        }
        if (peerCommitment != null) {
            throw broken("a second PAIR_COMMIT");
        }
        peerCommitment = c.commitment().clone();
        // Only now, with the peer's values fixed by the commitment, does this host show its own.
        port.send(new ControlMessage.PairStart(ephemeral.nonce(), ephemeral.publicKey()));
    }

    private void onPairStart(ControlMessage.PairStart p) throws Failure {
        requirePairing("PAIR_START");
        if (peerValuesSeen) {
            throw broken("a second PAIR_START");
        }
        if (!committer) {
            if (peerCommitment == null) {
                throw broken("PAIR_START before PAIR_COMMIT: the committing host must commit first");
            }
            byte[] expected = PairingCrypto.commitment(cablePeer.uuid(), p.nonce(), p.publicKey());
            if (!PairingCrypto.sameSecret(expected, peerCommitment)) {
                throw interfered("the pairing values of " + peerName() + " do not match the commitment it sent"
                        + " first: something on the cable is interfering. Nothing was paired");
            }
        }
        peerValuesSeen = true;
        if (committer) {
            // The responder has shown its values: reveal ours, which the commitment fixed before we saw them.
            port.send(new ControlMessage.PairStart(ephemeral.nonce(), ephemeral.publicKey()));
        }
        try {
            attemptKey = PairingCrypto.pairingKey(ephemeral, p.publicKey(), p.nonce(), local.uuid(),
                    cablePeer.uuid());
        } catch (GeneralSecurityException e) {
            throw broken("unusable pairing values: " + e.getMessage());
        }
        personAsked = true;
        port.askPerson(PairingCrypto.verificationCode(attemptKey));
    }

    /**
     * This host's person answered the code it was shown. Ignored when the pairing is no longer waiting for it (the
     * session ended, or the answer came twice).
     */
    synchronized void personAnswered(boolean confirmed) throws Failure {
        if (phase != Phase.PAIRING || !personAsked || localConfirmed) {
            return;
        }
        if (!confirmed) {
            phase = Phase.FAILED;
            throw new Failure(SessionEnd.Reason.PAIRING_REJECTED, ProtocolError.PAIRING_REJECTED,
                    ControlMessage.Goodbye.PAIRING_REJECTED, "pairing with " + peerName()
                            + " was rejected on this host", new ControlMessage.PairReject("the person on "
                                    + local.hostName() + " rejected the code"));
        }
        localConfirmed = true;
        port.send(new ControlMessage.PairConfirm(PairingCrypto.confirmation(attemptKey, local.uuid())));
        try {
            completePairingIfBoth();
        } catch (Failure f) {
            phase = Phase.FAILED;
            throw f;
        }
    }

    private void onPairConfirm(ControlMessage.PairConfirm c) throws Failure {
        requirePairing("PAIR_CONFIRM");
        if (attemptKey == null) {
            throw broken("PAIR_CONFIRM before the pairing values were exchanged");
        }
        if (peerConfirmed) {
            throw broken("a second PAIR_CONFIRM");
        }
        if (!PairingCrypto.sameSecret(PairingCrypto.confirmation(attemptKey, cablePeer.uuid()), c.confirmation())) {
            throw interfered(peerName() + " confirmed a code made from other keys than this host's: something on the"
                    + " cable is interfering. Nothing was paired");
        }
        peerConfirmed = true;
        completePairingIfBoth();
    }

    private void completePairingIfBoth() throws Failure {
        if (!localConfirmed || !peerConfirmed) {
            return;
        }
        PairedPeer peer = new PairedPeer(cablePeer.uuid(), attemptKey.clone(), PeerText.name(peerHello.hostName()),
                Instant.now(), Set.of());
        try {
            store.save(peer);
        } catch (IOException e) {
            throw new Failure(SessionEnd.Reason.PROTOCOL_ERROR, ProtocolError.INTERNAL,
                    ControlMessage.Goodbye.SHUTTING_DOWN, "could not remember the pairing with " + peerName() + " in "
                            + store.directory() + ": " + e.getMessage());
        }
        paired = peer;
        // A new pairing is proven like any later connection: the session keys come from the same exchange.
        startAuthentication();
    }

    // ---- authentication -----------------------------------------------------------------------------------------

    private void startAuthentication() {
        phase = Phase.AUTHENTICATING;
        port.phase(PeerSession.State.AUTHENTICATING);
        ownChallenge = PairingCrypto.nonce(random);
        port.send(new ControlMessage.AuthChallenge(ownChallenge.clone()));
    }

    private void onAuthChallenge(ControlMessage.AuthChallenge c) throws Failure {
        if (phase == Phase.PAIRING) {
            throw interfered(String.format("%1$s remembers a pairing with %2$s that %2$s does not have: to pair"
                    + " again, forget %2$s on %1$s", peerName(), "'" + local.hostName() + "'"));
        }
        if (phase != Phase.AUTHENTICATING) {
            throw broken("AUTH_CHALLENGE while " + phase.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (peerChallenge != null) {
            throw broken("a second AUTH_CHALLENGE");
        }
        if (Arrays.equals(c.nonce(), ownChallenge)) {
            throw interfered("the challenge from " + peerName() + " is this host's own, reflected: something on the"
                    + " cable is interfering");
        }
        peerChallenge = c.nonce().clone();
        keys = PairingCrypto.sessionKeys(paired.key(), local.uuid(), ownChallenge, cablePeer.uuid(), peerChallenge,
                transcript);
        byte[] answer = PairingCrypto.authResponse(paired.key(), cablePeer.uuid(), local.uuid(), peerChallenge,
                transcript);
        // Everything this host says after its answer carries a MAC under this session's key.
        port.sendThenSeal(new ControlMessage.AuthResponse(answer), new ControlSeal(keys.controlSend()));
    }

    /** The peer's answer; true when it proves the peer and the session is ready. */
    private boolean onAuthResponse(ControlMessage.AuthResponse r) throws Failure {
        if (phase != Phase.AUTHENTICATING) {
            throw broken("AUTH_RESPONSE while " + phase.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (peerChallenge == null) {
            throw broken("AUTH_RESPONSE before its AUTH_CHALLENGE");
        }
        byte[] expected = PairingCrypto.authResponse(paired.key(), local.uuid(), cablePeer.uuid(), ownChallenge,
                transcript);
        if (!PairingCrypto.sameSecret(expected, r.mac())) {
            throw interfered("the host on " + cablePeer.cableId() + " could not prove it is the " + peerName()
                    + " paired with this host: it may be another device using its UUID, or something on the cable"
                    + " altered the handshake. Forget it and pair again only if you trust it");
        }
        port.expectSealed(new ControlSeal(keys.controlReceive()));
        phase = Phase.DONE;
        FrameSeal.Protection protection = wanted.max(FrameSeal.Protection.ofBits(peerHello.capabilities()));
        result = new Result(paired, keys, protection);
        return true;
    }

    /** Whether a message of this type belongs to the handshake. */
    static boolean isHandshake(ControlMessage m) {
        return m instanceof ControlMessage.Hello || m instanceof ControlMessage.PairCommit
                || m instanceof ControlMessage.PairStart || m instanceof ControlMessage.PairConfirm
                || m instanceof ControlMessage.AuthChallenge || m instanceof ControlMessage.AuthResponse;
    }

    /**
     * Hands a handshake message to its step; true when the session became ready with it. After a failure the
     * handshake says nothing more: the session is ending for the first reason, and later messages cannot change it.
     */
    synchronized boolean handle(ControlMessage m) throws Failure {
        if (phase == Phase.FAILED) {
            return false;
        }
        try {
            if (m instanceof ControlMessage.Hello h) {
                onHello(h);
            } else if (m instanceof ControlMessage.PairCommit c) {
                onPairCommit(c);
            } else if (m instanceof ControlMessage.PairStart p) {
                onPairStart(p);
            } else if (m instanceof ControlMessage.PairConfirm c) {
                onPairConfirm(c);
            } else if (m instanceof ControlMessage.AuthChallenge c) {
                onAuthChallenge(c);
            } else if (m instanceof ControlMessage.AuthResponse r) {
                return onAuthResponse(r);
            }
            return false;
        } catch (Failure f) {
            phase = Phase.FAILED;
            throw f;
        }
    }
}
