package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.ControlSeal;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.trust.PairedPeer;
import org.hopwire.engine.trust.PairingCrypto;
import org.hopwire.engine.trust.PeerStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handshake alone, no streams and no threads: two hosts and what a device between them can do. */
class HandshakeTest {
    @TempDir
    Path dir;

    private static final UUID LOW = UUID.fromString("10000000-0000-0000-0000-000000000001");
    private static final UUID HIGH = UUID.fromString("20000000-0000-0000-0000-000000000002");

    /** One host's handshake and what it said and asked. */
    final class Host implements Handshake.Port {
        final Handshake hs;
        final PeerStore store;
        final ArrayDeque<ControlMessage> out = new ArrayDeque<>();
        final List<String> codes = new ArrayList<>();
        ControlSeal sealsAfter;
        ControlSeal expects;

        Host(UUID me, UUID peer, String name, FrameSeal.Protection wanted) {
            store = new PeerStore(dir.resolve(name));
            hs = new Handshake(PeerSession.PROTOCOL_MAJOR, 0, new PeerSession.Identity(me, name, "t"),
                    new PeerInfo(peer, "peer", "0-1"), wanted, store, new SecureRandom(), this);
            out.add(hs.hello());
        }

        @Override
        public void send(ControlMessage m) {
            out.add(m);
        }

        @Override
        public void sendThenSeal(ControlMessage m, ControlSeal seal) {
            out.add(m);
            sealsAfter = seal;
        }

        @Override
        public void expectSealed(ControlSeal seal) {
            expects = seal;
        }

        @Override
        public void askPerson(String code) {
            codes.add(code);
        }

        @Override
        public void phase(PeerSession.State state) {
        }

        /** Hands everything this host said to {@code other}, in order. */
        void deliverTo(Host other) throws Handshake.Failure {
            for (ControlMessage m; (m = out.poll()) != null; ) {
                other.hs.handle(m);
            }
        }
    }

    /** Pairs the two stores, both people confirming, so later handshakes authenticate. */
    private void pairBoth() throws Handshake.Failure {
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        exchange(a, b);
        a.hs.personAnswered(true);
        b.hs.personAnswered(true);
        exchange(a, b);
        assertTrue(a.hs.result().isPresent() && b.hs.result().isPresent(), "paired and authenticated");
    }

    private static void exchange(Host a, Host b) throws Handshake.Failure {
        for (int i = 0; i < 8; i++) {
            a.deliverTo(b);
            b.deliverTo(a);
        }
    }

    @Test
    void shouldPairWithOneCodeThenAuthenticateWithMirroredSessionKeys() throws Exception {
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.AUTHENTICATED);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        exchange(a, b);
        assertEquals(1, a.codes.size());
        assertEquals(a.codes, b.codes, "both hosts show the same code");
        a.hs.personAnswered(true);
        b.hs.personAnswered(true);
        exchange(a, b);
        Handshake.Result ra = a.hs.result().orElseThrow();
        Handshake.Result rb = b.hs.result().orElseThrow();
        assertArrayEquals(ra.keys().controlSend(), rb.keys().controlReceive());
        assertArrayEquals(ra.keys().dataSend(), rb.keys().dataReceive());
        assertEquals(FrameSeal.Protection.ENCRYPTED, ra.protection(), "the stronger wish applies on both");
        assertEquals(FrameSeal.Protection.ENCRYPTED, rb.protection());
        assertArrayEquals(a.store.find(HIGH).orElseThrow().key(), b.store.find(LOW).orElseThrow().key());
        assertTrue(a.sealsAfter != null && a.expects != null, "control messages are sealed from here on");
    }

    @Test
    void shouldCommitBeforeSeeingAnythingAndAnswerOnlyACommitment() throws Exception {
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        // Each has only the other's HELLO.
        a.hs.handle(b.out.poll());
        b.hs.handle(a.out.poll());
        assertInstanceOf(ControlMessage.PairCommit.class, a.out.peek(), "the lower UUID commits first");
        assertTrue(b.out.isEmpty(), "the other host shows nothing before it holds a commitment");
        // A PAIR_START before the commitment is refused by the host that waits for one.
        ControlMessage.PairStart early = new ControlMessage.PairStart(new byte[32], new byte[32]);
        assertThrows(Handshake.Failure.class, () -> b.hs.handle(early));
    }

    @Test
    void shouldCatchARevealThatDoesNotMatchItsCommitment() throws Exception {
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        a.hs.handle(b.out.poll());
        b.hs.handle(a.out.poll());
        b.hs.handle(a.out.poll()); // the commitment
        a.hs.handle(b.out.poll()); // B's values; A reveals
        ControlMessage.PairStart reveal = (ControlMessage.PairStart) a.out.poll();
        // A device in the path, having seen B's values, swaps A's reveal for values it ground to match a code.
        PairingCrypto.Ephemeral ground = PairingCrypto.newEphemeral(new SecureRandom());
        Handshake.Failure f = assertThrows(Handshake.Failure.class, () -> b.hs.handle(
                new ControlMessage.PairStart(ground.nonce(), ground.publicKey())));
        assertEquals(SessionEnd.Reason.AUTH_FAILED, f.reason);
        assertTrue(f.getMessage().contains("commitment"), f.getMessage());
        assertTrue(b.codes.isEmpty(), "no code is shown for values that break their commitment");
        assertTrue(b.store.list().isEmpty());
        assertTrue(reveal.nonce().length == 32);
    }

    @Test
    void shouldGiveAManInTheMiddleTwoDifferentCodes() throws Exception {
        // The device runs a pairing with each host; it must commit (to B) or answer a commitment (from A) before it
        // sees the values that fix the other code, so the two codes match only by a 1 in 10^6 chance.
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host mitmAsB = new Host(HIGH, LOW, "mb", FrameSeal.Protection.ENCRYPTED);
        Host mitmAsA = new Host(LOW, HIGH, "ma", FrameSeal.Protection.ENCRYPTED);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        exchange(a, mitmAsB);
        exchange(mitmAsA, b);
        assertEquals(1, a.codes.size());
        assertEquals(1, b.codes.size());
        assertNotEquals(a.codes.get(0), b.codes.get(0), "the people see different codes and reject");
    }

    @Test
    void shouldFailOnASecondPairStartAfterThePersonConfirmedAndStoreNothing() throws Exception {
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        exchange(a, b);
        a.hs.personAnswered(true);
        PairingCrypto.Ephemeral other = PairingCrypto.newEphemeral(new SecureRandom());
        Handshake.Failure f = assertThrows(Handshake.Failure.class,
                () -> a.hs.handle(new ControlMessage.PairStart(other.nonce(), other.publicKey())));
        assertEquals(SessionEnd.Reason.PROTOCOL_ERROR, f.reason);
        assertTrue(f.getMessage().contains("second PAIR_START"), f.getMessage());
        assertEquals(1, a.codes.size(), "no second question");
        assertTrue(a.store.list().isEmpty(), "nothing stored");
        assertThrows(Handshake.Failure.class, () -> b.hs.handle(new ControlMessage.PairCommit(new byte[32])),
                "a second commitment is refused too");
    }

    @Test
    void shouldStoreNothingWhenThePeersConfirmationIsForOtherKeys() throws Exception {
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        exchange(a, b);
        a.hs.personAnswered(true);
        Handshake.Failure f = assertThrows(Handshake.Failure.class,
                () -> a.hs.handle(new ControlMessage.PairConfirm(new byte[32])));
        assertEquals(SessionEnd.Reason.AUTH_FAILED, f.reason);
        assertTrue(a.store.list().isEmpty());
    }

    @Test
    void shouldStoreNothingAndRemoveNothingWhenThePersonRejects() throws Exception {
        Host a = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        // A pairing made by an older Hopwire (generation 2) is not trusted: the hosts pair again.
        PairedPeer old = new PairedPeer(HIGH, new byte[32], "old", Instant.EPOCH, Set.of("cam0"), 2);
        a.store.save(old);
        Host b = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        exchange(a, b);
        assertEquals(1, a.codes.size(), "an older pairing is paired again");
        Handshake.Failure f = assertThrows(Handshake.Failure.class, () -> a.hs.personAnswered(false));
        assertEquals(SessionEnd.Reason.PAIRING_REJECTED, f.reason);
        assertInstanceOf(ControlMessage.PairReject.class, f.farewell.get(0));
        PairedPeer still = a.store.find(HIGH).orElseThrow();
        assertEquals("old", still.name(), "what was stored before is still there");
        assertFalse(still.trusted());
        b.hs.personAnswered(true);
        assertTrue(b.store.list().isEmpty());
    }

    @Test
    void shouldRefuseAReflectedChallengeAndAWrongAnswer() throws Exception {
        pairBoth();
        // A fresh pair of handshakes authenticates.
        Host a2 = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host b2 = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        a2.hs.handle(b2.out.poll());
        ControlMessage.AuthChallenge mine = (ControlMessage.AuthChallenge) a2.out.stream()
                .filter(m -> m instanceof ControlMessage.AuthChallenge).findFirst().orElseThrow();
        assertThrows(Handshake.Failure.class, () -> a2.hs.handle(new ControlMessage.AuthChallenge(mine.nonce())),
                "its own challenge sent back");
        Host a3 = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        a3.hs.handle(new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED).out.poll());
        a3.hs.handle(new ControlMessage.AuthChallenge(new byte[32]));
        Handshake.Failure f = assertThrows(Handshake.Failure.class,
                () -> a3.hs.handle(new ControlMessage.AuthResponse(new byte[32])));
        assertEquals(SessionEnd.Reason.AUTH_FAILED, f.reason);
    }

    @Test
    void shouldFailAuthenticationWhenAHelloWasAlteredInTransit() throws Exception {
        pairBoth();
        Host a2 = new Host(LOW, HIGH, "a", FrameSeal.Protection.ENCRYPTED);
        Host b2 = new Host(HIGH, LOW, "b", FrameSeal.Protection.ENCRYPTED);
        // A device downgrades A's wish for encryption on its way to B.
        ControlMessage.Hello real = (ControlMessage.Hello) a2.out.poll();
        b2.hs.handle(new ControlMessage.Hello(real.major(), real.minor(), real.host(), real.hostName(),
                real.appVersion(), FrameSeal.Protection.NONE.bits()));
        a2.hs.handle(b2.out.poll());
        Handshake.Failure f = assertThrows(Handshake.Failure.class, () -> exchange(a2, b2));
        assertEquals(SessionEnd.Reason.AUTH_FAILED, f.reason, "the transcripts differ, so the answers do");
    }
}
