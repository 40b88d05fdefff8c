package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real session on A against a peer B played by hand, as a hostile host or a device in the cable's path would play
 * it (issue: "Trust you can defend"). B completes the honest handshake where it needs to, then breaks the rules.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostilePeerTest {
    @TempDir
    Path dir;

    private SessionPair pair;
    private HostilePeer b;

    @AfterEach
    void tearDown() {
        if (b != null) {
            b.close();
        }
        if (pair != null) {
            pair.close();
        }
    }

    /** A's session, paired and authenticated with the hand-played B. */
    private void ready() throws Exception {
        ready(new Recorder());
    }

    /** As {@link #ready()}, with A's person played by {@code person}. */
    private void ready(Recorder person) throws Exception {
        pair = new SessionPair(dir);
        pair.ha = person;
        pair.a = SessionPair.startOne(pair.bed.a(), pair.pa, "alpha", PeerSession.Config.DEFAULT, pair.storeA,
                person);
        pair.a.setCatalog(SessionPair.CATALOG);
        b = new HostilePeer(pair, pair.storeB, FrameSeal.Protection.ENCRYPTED);
        try {
            b.awaitReady();
        } catch (AssertionError e) {
            throw new AssertionError("A is " + pair.a.state() + " " + pair.a.end() + ", states " + pair.ha.states
                    + ", codes " + pair.ha.codes + "/" + b.codes + ", B received " + b.received, e);
        }
        SessionPair.awaitState(pair.a, PeerSession.State.READY);
    }

    private SessionEnd ended() throws Exception {
        return pair.ha.closed.get(10, TimeUnit.SECONDS);
    }

    // ---- 1. pairing -----------------------------------------------------------------------------------------------

    @Test
    void shouldEndOnASecondPairStartAfterThePersonConfirmedAndStoreNothing() throws Exception {
        pair = new SessionPair(dir);
        pair.startA();
        CompletableFuture<Boolean> person = new CompletableFuture<>();
        pair.ha.confirmLater = person;
        b = new HostilePeer(pair, pair.storeB, FrameSeal.Protection.ENCRYPTED);
        b.confirm = false; // B never confirms: it waits for A's person, then tries other keys
        Transfers.await(() -> !pair.ha.codes.isEmpty(), Duration.ofSeconds(5), "the code shown on A");
        person.complete(true);
        b.await(ControlMessage.PairConfirm.class, m -> true);
        var other = org.hopwire.engine.trust.PairingCrypto.newEphemeral(new java.security.SecureRandom());
        b.send(new ControlMessage.PairStart(other.nonce(), other.publicKey()));
        SessionEnd end = ended();
        assertEquals(SessionEnd.Reason.PROTOCOL_ERROR, end.reason(), end.message());
        assertTrue(end.message().contains("second PAIR_START"), end.message());
        assertEquals(1, pair.ha.codes.size(), "no second dialog");
        assertTrue(pair.storeA.list().isEmpty(), "no key stored before both people confirmed");
    }

    @Test
    void shouldStoreNothingWhenThePeerConfirmsAnotherKey() throws Exception {
        pair = new SessionPair(dir);
        pair.startA();
        b = new HostilePeer(pair, pair.storeB, FrameSeal.Protection.ENCRYPTED);
        b.confirm = false;
        Transfers.await(() -> !pair.ha.codes.isEmpty(), Duration.ofSeconds(5), "the code shown on A");
        b.send(new ControlMessage.PairConfirm(new byte[32]));
        assertEquals(SessionEnd.Reason.AUTH_FAILED, ended().reason());
        assertTrue(pair.storeA.list().isEmpty());
    }

    // ---- 2. an authenticated session stays authenticated -------------------------------------------------------

    @Test
    void shouldRefuseAnInjectedOrAlteredMessageAfterAuthentication() throws Exception {
        ready();
        // A device in the path injects a request without a MAC.
        b.sendUnsealed(new ControlMessage.BorrowRequest(5, "cam0", ""));
        SessionEnd end = ended();
        assertEquals(SessionEnd.Reason.PROTOCOL_ERROR, end.reason());
        assertTrue(end.message().contains("authentication"), end.message());
        assertEquals(0, pair.ha.consentAsked.get(), "the injected request reached nobody");
    }

    @Test
    void shouldCarrySealedFramesOnlyAndEncryptThem() throws Exception {
        ready();
        assertEquals(FrameSeal.Protection.ENCRYPTED, pair.a.dataProtection().orElseThrow());
        // A CAPS B never asked for is refused (see below); here B asks properly for A's camera.
        b.send(new ControlMessage.BorrowRequest(1, "cam0", ""));
        ControlMessage.Caps caps = b.await(ControlMessage.Caps.class, c -> true);
        b.send(new ControlMessage.Start(caps.channel()));
        Transfers.await(() -> !pair.ha.lendsStarted.isEmpty(), Duration.ofSeconds(5), "A lends");
        byte[] secret = "the picture of a secret whiteboard".repeat(30).getBytes(StandardCharsets.US_ASCII);
        assertTrue(pair.a.send(new org.hopwire.engine.protocol.MediaFrame(caps.channel(), 0, 0, -1, 1,
                FragmentHeader.KEY_FRAME, ByteBuffer.wrap(secret))));
        ByteBuffer wire = ByteBuffer.allocate(64 * 1024);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (wire.position() < secret.length && System.nanoTime() < deadline) {
            b.data.read(wire);
        }
        wire.flip();
        assertTrue(wire.remaining() >= secret.length + FragmentHeader.LENGTH + FrameSeal.OVERHEAD);
        assertTrue((wire.get(3) & FragmentHeader.SEALED) != 0 && (wire.get(3) & FragmentHeader.ENCRYPTED) != 0);
        String seen = new String(wire.array(), 0, wire.limit(), StandardCharsets.ISO_8859_1);
        assertFalse(seen.contains("secret whiteboard"), "nothing of the picture crosses in the clear");
    }

    @Test
    void shouldNotReassembleAnythingBeforeTheSessionIsReady() throws Exception {
        pair = new SessionPair(dir);
        pair.startA();
        pair.ha.confirmLater = new CompletableFuture<>(); // A never gets past pairing
        b = new HostilePeer(pair, pair.storeB, FrameSeal.Protection.ENCRYPTED);
        Transfers.await(() -> !pair.ha.codes.isEmpty(), Duration.ofSeconds(5), "the code shown on A");
        // Fifteen first fragments of 64 MiB frames: unauthenticated, they must pin nothing.
        ByteBuffer frames = ByteBuffer.allocate(15 * (FragmentHeader.LENGTH + 16)).order(ByteOrder.LITTLE_ENDIAN);
        for (int ch = 0; ch < 15; ch++) {
            new FragmentHeader().wrap(frames, frames.position()).set(FragmentHeader.FIRST, ch, 0, 0, 64 << 20, 0, 16,
                    0, 0, 0, 0);
            frames.position(frames.position() + FragmentHeader.LENGTH + 16);
        }
        b.data.writeFully(frames.flip());
        SessionEnd end = ended();
        assertEquals(SessionEnd.Reason.LINK_DOWN, end.reason(), "data before the session is set up: not this one");
        assertTrue(pair.a.dataDiscardedBeforeReady() > 0, "read and dropped");
        assertTrue(pair.storeA.list().isEmpty());
    }

    // ---- 3. consent on the borrower's side too ----------------------------------------------------------------

    @Test
    void shouldRefuseCapsForAChannelThisHostNeverAskedFor() throws Exception {
        ready();
        for (int ch = 0; ch < 256; ch++) {
            b.send(new ControlMessage.Caps(ch, 1000 + ch, 1, "video/x-raw,width=64,height=48"));
        }
        ControlMessage.Stop stop = b.await(ControlMessage.Stop.class, s -> s.channel() == 255);
        assertEquals(ControlMessage.Stop.SENDER_BORROWS, stop.side(), "the owner hears the channel is not taken");
        assertNull(pair.ha.borrowsStarted.poll(200, TimeUnit.MILLISECONDS), "no pipeline started unasked");
        assertTrue(pair.a.borrowing().isEmpty());
        assertEquals(PeerSession.State.READY, pair.a.state());
    }

    @Test
    void shouldAskOneQuestionPerDeviceHoweverOftenThePeerAsks() throws Exception {
        Recorder slowPerson = new Recorder() {
            @Override
            public java.util.concurrent.CompletionStage<Consent> askConsent(PeerInfo peer, String deviceId) {
                consentAsked.incrementAndGet();
                return new CompletableFuture<>(); // the person has not answered yet
            }
        };
        ready(slowPerson);
        for (int i = 0; i < 10_000; i += 500) {
            ControlMessage[] burst = new ControlMessage[500];
            for (int j = 0; j < 500; j++) {
                burst[j] = new ControlMessage.BorrowRequest(i + j, "cam0", "");
            }
            b.send(burst);
        }
        try {
            b.await(ControlMessage.Consent.class, c -> c.requestId() == 9_999, Duration.ofSeconds(30));
        } catch (AssertionError e) {
            throw new AssertionError(pair.a.state() + " " + pair.a.end() + " " + b.received.size() + " " + b.failures, e);
        }
        assertEquals(1, slowPerson.consentAsked.get(), "one question for 10,000 requests");
        assertEquals(PeerSession.State.READY, pair.a.state(), "a burst the peer reads answers to ends nothing");

        // A flood of error reports becomes at most one notice every few seconds.
        for (int i = 0; i < 1000; i++) {
            b.send(new ControlMessage.ErrorReport(ProtocolError.INTERNAL, "report " + i));
        }
        b.send(new ControlMessage.Heartbeat(1, 1));
        b.await(ControlMessage.HeartbeatAck.class, a -> a.sequence() == 1);
        assertEquals(1, slowPerson.peerErrors.size(), slowPerson.peerErrors.toString());
    }

    @Test
    void shouldSayThePeerStoppedReadingOnlyWhenItDid() throws Exception {
        ready();
        b.reading = false;
        Thread flood = new Thread(() -> {
            try {
                for (int i = 0; i < 100_000; i += 500) {
                    ControlMessage[] burst = new ControlMessage[500];
                    for (int j = 0; j < 500; j++) {
                        burst[j] = new ControlMessage.BorrowRequest(i + j, "nope", "");
                    }
                    b.send(burst);
                }
            } catch (java.io.IOException e) {
                // the session ended under the flood
            }
        });
        flood.setDaemon(true);
        flood.start();
        SessionEnd end = pair.ha.closed.get(20, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.LINK_DOWN, end.reason(), end.message());
        assertTrue(end.message().contains("stopped reading"), end.message());
    }

    @Test
    void shouldAskAboutOffersOnlyOfListedDevicesAndOneAtATime() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        Recorder slowPerson = new Recorder() {
            @Override
            public java.util.concurrent.CompletionStage<Boolean> acceptOffer(PeerInfo peer, String deviceId) {
                asked.incrementAndGet();
                return new CompletableFuture<>(); // the person has not answered yet
            }
        };
        ready(slowPerson);
        b.send(SessionPair.CATALOG);
        b.send(new ControlMessage.LendOffer(1, "not-listed"));
        b.await(ControlMessage.Consent.class, c -> c.requestId() == 1 && c.answer() == ControlMessage.Consent.DENY);
        for (int i = 2; i < 2000; i++) {
            b.send(new ControlMessage.LendOffer(i, "cam0"));
        }
        b.await(ControlMessage.Consent.class, c -> c.requestId() == 1999, Duration.ofSeconds(20));
        assertEquals(1, asked.get(), "one question for the listed device, none for the other");
    }

    @Test
    void shouldRefuseFormatRequestsForOthersChannelsOrWithBadTextAndLendOnUnchanged() throws Exception {
        ready();
        b.send(new ControlMessage.BorrowRequest(1, "cam0", ""));
        ControlMessage.Caps caps = b.await(ControlMessage.Caps.class, c -> true);
        b.send(new ControlMessage.Start(caps.channel()));
        Transfers.await(() -> !pair.ha.lendsStarted.isEmpty(), Duration.ofSeconds(5), "A lends");
        int ch = caps.channel();
        // A channel A does not lend to B.
        b.send(new ControlMessage.FormatRequest(10, ch + 1, "image/jpeg"));
        ControlMessage.ErrorReport notLent = b.await(ControlMessage.ErrorReport.class, e -> true);
        assertEquals(ProtocolError.MALFORMED, notLent.error());
        assertTrue(notLent.text().contains("not lent"), notLent.text());
        b.await(ControlMessage.Consent.class, c -> c.requestId() == 10
                && c.answer() == ControlMessage.Consent.DENY);
        // Text that is not caps, and text far over the bound (the string field itself allows 4096 bytes).
        b.send(new ControlMessage.FormatRequest(11, ch, "image/jpeg,width=<script>"));
        ControlMessage.ErrorReport malformed = b.await(ControlMessage.ErrorReport.class, e -> true);
        assertEquals(ProtocolError.MALFORMED, malformed.error());
        assertTrue(malformed.text().contains("name=value"), malformed.text());
        b.await(ControlMessage.Consent.class, c -> c.requestId() == 11);
        b.send(new ControlMessage.FormatRequest(12, ch, "video/x-raw,format=" + "N".repeat(4000)));
        ControlMessage.ErrorReport oversized = b.await(ControlMessage.ErrorReport.class, e -> true);
        assertEquals(ProtocolError.MALFORMED, oversized.error());
        assertTrue(oversized.text().contains("at most 256"), oversized.text());
        b.await(ControlMessage.Consent.class, c -> c.requestId() == 12);
        // A second change while the first is carried out waits for nobody: it is refused as busy.
        CompletableFuture<Void> hold = new CompletableFuture<>();
        pair.ha.formatChange = (channel, wish) -> hold;
        b.send(new ControlMessage.FormatRequest(13, ch, "image/jpeg"), new ControlMessage.FormatRequest(14, ch,
                "video/x-raw"));
        ControlMessage.ErrorReport busy = b.await(ControlMessage.ErrorReport.class, e -> true);
        assertEquals(ProtocolError.DEVICE_BUSY, busy.error());
        b.await(ControlMessage.Consent.class, c -> c.requestId() == 14);
        hold.complete(null);
        ControlMessage.Caps same = b.await(ControlMessage.Caps.class, c -> c.requestId() == 13);
        assertEquals(caps.caps(), same.caps(), "nothing changed: the same caps answer the request");
        assertEquals(1, pair.ha.formatRequests.size(), "only the well-formed request for B's channel got through");
        b.send(new ControlMessage.Heartbeat(9, 9));
        b.await(ControlMessage.HeartbeatAck.class, a -> a.sequence() == 9);
        assertEquals(PeerSession.State.READY, pair.a.state());
        assertEquals(java.util.Map.of(ch, "cam0"), pair.a.lending(), "the lend goes on");
    }

    @Test
    void shouldPassOnKeyFrameRequestsAtMostFourTimesASecond() throws Exception {
        ready();
        b.send(new ControlMessage.BorrowRequest(1, "cam0", ""));
        ControlMessage.Caps caps = b.await(ControlMessage.Caps.class, c -> true);
        b.send(new ControlMessage.Start(caps.channel()));
        ControlMessage[] asks = new ControlMessage[200];
        for (int i = 0; i < asks.length; i++) {
            asks[i] = new ControlMessage.KeyframeRequest(caps.channel());
        }
        long t0 = System.nanoTime();
        b.send(asks);
        b.send(new ControlMessage.Heartbeat(7, 7));
        b.await(ControlMessage.HeartbeatAck.class, a -> a.sequence() == 7);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long passed = pair.ha.requests.stream().filter(r -> r.startsWith("key frame")).count();
        assertTrue(passed >= 1 && passed <= 1 + (long) (seconds * 4) + 1, passed + " in " + seconds + " s");
    }

    @Test
    void shouldGiveUpOnAPeerThatNeverAnswersItsChallenge() throws Exception {
        ready();
        b.close();
        pair.a.close();
        pair.pa.close();
        pair.pb.close();
        Thread.sleep(pair.bed.world().settings().timing().lastArrival().toMillis() + 50);
        pair.pairStreams();
        pair.a = SessionPair.startOne(pair.bed.a(), pair.pa, "alpha",
                PeerSession.Config.DEFAULT.withHandshakeTimeout(Duration.ofSeconds(2)), pair.storeA, pair.ha = new Recorder());
        var control = pair.openRawB()[0];
        // B says hello as the paired host, then keeps quiet but for heartbeats: it cannot answer a challenge.
        org.hopwire.engine.protocol.WireWriter w = new org.hopwire.engine.protocol.WireWriter(256);
        org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0,
                pair.bed.hostB().uuid(), "beta", "test", 2), w);
        control.writeFully(w.toBuffer());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (!pair.ha.closed.isDone() && System.nanoTime() < deadline) {
            control.writeFully(org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.Heartbeat(1, 1)));
            Thread.sleep(200);
        }
        SessionEnd end = pair.ha.closed.get(1, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.AUTH_FAILED, end.reason(), end.message());
        assertTrue(end.message().contains("did not prove"), end.message());
        control.close();
    }

    // ---- 4. no input ends a session the wrong way ---------------------------------------------------------------

    @Test
    void shouldStopActingOnWhatIsStillBufferedOnceTheSessionEnded() throws Exception {
        ready();
        // A burst the session is still reading when it ends (here: aborted, as after a resume from suspend). Before,
        // the reader went on answering each message into a queue nobody drained, two seconds per message.
        ControlMessage[] burst = new ControlMessage[2000];
        for (int i = 0; i < burst.length; i++) {
            burst[i] = new ControlMessage.Heartbeat(i, i);
        }
        Thread flood = new Thread(() -> {
            try {
                while (true) {
                    b.send(burst);
                }
            } catch (java.io.IOException e) {
                // the session ended under the flood
            }
        });
        flood.setDaemon(true);
        flood.start();
        Thread.sleep(300);
        pair.a.abort("ended while reading a burst");
        assertTrue(pair.a.awaitThreads(Duration.ofSeconds(5)), "every thread of the session ends at once");
    }

    @Test
    void shouldTreatChannelIdsOutOfRangeAsAProtocolErrorNotAnInternalOne() throws Exception {
        ready();
        ByteBuffer body = ByteBuffer.allocate(2 + 2 + 1).order(ByteOrder.LITTLE_ENDIAN);
        body.putShort((short) 300).putShort((short) ControlMessage.Stop.RETURNED).put((byte) 1);
        b.sendBody(ControlMessage.STOP, body.array());
        SessionEnd end = ended();
        assertEquals(SessionEnd.Reason.PROTOCOL_ERROR, end.reason());
        assertTrue(end.message().contains("channel id 300"), end.message());
        assertFalse(end.message().contains("internal"), end.message());
        ControlMessage.ErrorReport told = b.await(ControlMessage.ErrorReport.class, e -> true);
        assertEquals(ProtocolError.MALFORMED, told.error());
    }

    @Test
    void shouldSurviveAPeerStringAsLongAsAFieldAllows() throws Exception {
        ready();
        String id = "x".repeat(4096);
        b.send(new ControlMessage.BorrowRequest(1, id, ""));
        ControlMessage.ErrorReport why = b.await(ControlMessage.ErrorReport.class, e -> true);
        assertTrue(why.text().startsWith("no device x"), why.text());
        b.await(ControlMessage.Consent.class, c -> c.answer() == ControlMessage.Consent.DENY);
        // The writer lives on: heartbeats keep coming.
        b.await(ControlMessage.Heartbeat.class, h -> true);
        assertEquals(PeerSession.State.READY, pair.a.state());
    }

    @Test
    void shouldShowPeerNamesWithoutControlOrDirectionCharacters() throws Exception {
        pair = new SessionPair(dir);
        pair.startA();
        pair.ha.confirm = false;
        var control = pair.openRawB()[0];
        // "Demo laptop" written backwards behind a right-to-left override, a newline and a long tail.
        String spoof = "\u202Epotpal omeD\u202C\nAllow\u200B " + "y".repeat(4000);
        org.hopwire.engine.protocol.WireWriter w = new org.hopwire.engine.protocol.WireWriter(8192);
        org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0,
                pair.bed.hostB().uuid(), spoof, "1", 2), w);
        control.writeFully(w.toBuffer());
        Transfers.await(() -> pair.a.state() == PeerSession.State.PAIRING, Duration.ofSeconds(5), "pairing");
        String shown = pair.a.peer().name();
        assertTrue(shown.length() <= PeerText.NAME_CHARS, shown.length() + " characters");
        assertTrue(shown.codePoints().noneMatch(c -> Character.getType(c) == Character.FORMAT
                || Character.isISOControl(c)), shown);
        assertTrue(shown.startsWith("potpal omeD Allow y"), shown);
        control.close();
    }

    @Test
    void shouldEndOnlyTheChannelAStopNamesWhenBothHostsUseTheSameNumber() throws Exception {
        pair = new SessionPair(dir);
        pair.start();
        pair.awaitReady();
        // A borrows B's camera on B's channel 0, and B borrows A's camera on A's channel 0.
        Borrow aFromB = pair.a.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        Borrow bFromA = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        assertEquals(aFromB.channel(), bFromA.channel(), "the same number in both directions");
        int ch = aFromB.channel();
        pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        pair.hb.lendsStarted.poll(5, TimeUnit.SECONDS);

        // A revokes what it lends: B's borrow ends, A's own borrow from B goes on.
        pair.a.revoke(ch);
        long[] bEnded = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(bEnded);
        assertEquals(ControlMessage.Stop.REVOKED, bEnded[1]);
        assertNull(pair.hb.lendsEnded.poll(300, TimeUnit.MILLISECONDS), "B still lends to A");
        assertNull(pair.ha.borrowsEnded.poll(10, TimeUnit.MILLISECONDS), "A still borrows from B");
        assertTrue(pair.b.send(new org.hopwire.engine.protocol.MediaFrame(ch, 0, 0, -1, 1, FragmentHeader.KEY_FRAME,
                ByteBuffer.wrap(new byte[100]))));
        assertNotNull(pair.ha.frames.poll(5, TimeUnit.SECONDS), "A's borrow still carries frames");

        // A gives B's camera back: B's lend ends, nothing else.
        pair.a.giveBack(ch);
        int[] bLendEnded = pair.hb.lendsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(bLendEnded);
        assertEquals(ControlMessage.Stop.RETURNED, bLendEnded[1]);
        assertTrue(pair.a.lending().isEmpty() && pair.b.lending().isEmpty());
        assertTrue(pair.a.borrowing().isEmpty() && pair.b.borrowing().isEmpty());

        // Both directions on the same number again, this time B returns and B revokes.
        Borrow again = pair.b.borrow("cam1", "").get(5, TimeUnit.SECONDS);
        Borrow back = pair.a.borrow("cam1", "").get(5, TimeUnit.SECONDS);
        assertEquals(again.channel(), back.channel());
        pair.b.giveBack(again.channel());
        assertNotNull(pair.ha.lendsEnded.poll(5, TimeUnit.SECONDS));
        assertEquals(List.of(back), pair.a.borrowing(), "A's borrow on that number is untouched");
        pair.b.revoke(back.channel());
        assertNotNull(pair.ha.borrowsEnded.poll(5, TimeUnit.SECONDS));
        assertTrue(pair.a.borrowing().isEmpty());
    }
}
