package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.testbed.Transfers;
import org.hopwire.engine.trust.PairedPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two sessions over the emulated fabric: trust, consent, lending and what happens when things go wrong. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerSessionTest {
    @TempDir
    Path dir;

    private SessionPair pair;

    @AfterEach
    void tearDown() {
        if (pair != null) {
            pair.close();
        }
    }

    private SessionPair paired() throws Exception {
        pair = new SessionPair(dir);
        pair.start();
        pair.awaitReady();
        return pair;
    }

    private static MediaFrame frame(int channel, long sequence, int length, boolean key) {
        byte[] data = new byte[length];
        new Random(channel * 1_000_003L + sequence).nextBytes(data);
        return new MediaFrame(channel, sequence, sequence * 1000, -1, 1000, key ? FragmentHeader.KEY_FRAME
                : FragmentHeader.DELTA, ByteBuffer.wrap(data));
    }

    // ---- trust -------------------------------------------------------------------------------------------------

    @Test
    void shouldPairWithTheSameCodeOnBothHostsAndAuthenticateNextTime() throws Exception {
        paired();
        assertEquals(1, pair.ha.codes.size());
        assertEquals(pair.ha.codes, pair.hb.codes, "both hosts show the same code");
        assertTrue(pair.ha.codes.get(0).matches("\\d{6}"));
        assertTrue(pair.ha.states.contains(PeerSession.State.PAIRING));
        // The catalog may first arrive empty (set just after start) and then full: wait for the full one.
        ControlMessage.Catalog seen;
        do {
            seen = pair.ha.catalogs.poll(5, TimeUnit.SECONDS);
            assertNotNull(seen, "catalogs flow once ready");
        } while (!seen.equals(SessionPair.CATALOG));

        PairedPeer remembered = pair.storeA.find(pair.bed.hostB().uuid()).orElseThrow();
        assertEquals("beta", remembered.name());
        Path file = pair.storeA.directory().resolve(pair.bed.hostB().uuid() + ".peer");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                pair.storeA.directory())));

        pair.restart();
        pair.awaitReady();
        assertTrue(pair.ha.codes.isEmpty() && pair.hb.codes.isEmpty(), "known peers are not asked again");
        assertTrue(pair.ha.states.contains(PeerSession.State.AUTHENTICATING));
    }

    @Test
    void shouldEndOnBothHostsWhenEitherPersonRejectsTheCode() throws Exception {
        pair = new SessionPair(dir);
        Recorder rejecting = new Recorder();
        rejecting.confirm = false;
        pair.start(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT, new Recorder(), rejecting);
        SessionEnd ea = pair.ha.closed.get(10, TimeUnit.SECONDS);
        SessionEnd eb = pair.hb.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.PAIRING_REJECTED, ea.reason(), ea.message());
        assertEquals(SessionEnd.Reason.PAIRING_REJECTED, eb.reason(), eb.message());
        assertTrue(pair.storeA.list().isEmpty() && pair.storeB.list().isEmpty(), "nothing remembered");
    }

    @Test
    void shouldRefuseAPeerThatCannotProveItHoldsThePairingKey() throws Exception {
        paired();
        // B's key is replaced, as if a different device copied B's UUID.
        PairedPeer real = pair.storeB.find(pair.bed.hostA().uuid()).orElseThrow();
        byte[] forged = real.key().clone();
        forged[0] ^= 1;
        pair.storeB.save(new PairedPeer(real.uuid(), forged, real.name(), real.pairedAt(), real.alwaysAllowed()));
        pair.restart();
        SessionEnd ea = pair.ha.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.AUTH_FAILED, ea.reason(), ea.message());
        assertEquals(SessionEnd.Reason.AUTH_FAILED, pair.hb.closed.get(10, TimeUnit.SECONDS).reason());
        assertTrue(pair.ha.catalogs.isEmpty() && pair.hb.catalogs.isEmpty(), "an unproven peer sees nothing");
    }

    @Test
    void shouldTellBothWhenOneSideForgotThePairing() throws Exception {
        paired();
        assertTrue(pair.storeB.forget(pair.bed.hostA().uuid()));
        pair.restart();
        SessionEnd ea = pair.ha.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.AUTH_FAILED, ea.reason());
        SessionEnd eb = pair.hb.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.AUTH_FAILED, eb.reason(), eb + " / " + ea);
        // Whichever host noticed first, both say which host must forget which.
        for (SessionEnd e : List.of(ea, eb)) {
            assertTrue(e.message().contains("forget 'alpha' on 'beta'") || e.message().contains("forget 'beta' on"
                    + " 'alpha'"), e.message());
        }
    }

    @Test
    void shouldEndOnBothHostsWithAClearErrorOnAnIncompatibleVersion() throws Exception {
        pair = new SessionPair(dir);
        int newer = PeerSession.PROTOCOL_MAJOR + 1;
        pair.start(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT.withProtocolMajor(newer));
        SessionEnd ea = pair.ha.closed.get(10, TimeUnit.SECONDS);
        SessionEnd eb = pair.hb.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.INCOMPATIBLE_VERSION, ea.reason(), ea.message());
        assertEquals(SessionEnd.Reason.INCOMPATIBLE_VERSION, eb.reason(), eb.message());
        assertTrue(ea.message().contains("incompatible version"), ea.message());
        String minor = "." + PeerSession.PROTOCOL_MINOR;
        assertTrue(ea.message().contains(PeerSession.PROTOCOL_MAJOR + minor) && ea.message().contains(newer + minor),
                ea.message());
    }

    @Test
    void shouldSealFramesInSegmentsBetween33HostsAndWholeWithA32Peer() throws Exception {
        // Both at 3.3: segments both ways; a 600 kB frame is three of them.
        paired();
        assertEquals(FrameSeal.SEGMENT_BYTES, pair.a.receivedSegmentBytes());
        assertEquals(FrameSeal.SEGMENT_BYTES, pair.b.receivedSegmentBytes());
        carriesAFrame(600_000);
        pair.close();
        // The borrower speaks 3.2: both agree on 3.2's whole-frame seal, and frames still arrive whole and intact.
        pair = new SessionPair(dir.resolve("older"));
        pair.start(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT.withProtocolMinor(2));
        pair.awaitReady();
        assertEquals(FrameSeal.WHOLE_FRAME, pair.a.receivedSegmentBytes());
        assertEquals(FrameSeal.WHOLE_FRAME, pair.b.receivedSegmentBytes());
        carriesAFrame(600_000);
    }

    /** Borrows cam0 with consent, sends one frame of {@code length} bytes and checks that it arrives as it was. */
    private void carriesAFrame(int length) throws Exception {
        pair.ha.consent = SessionHandler.Consent.ALLOW_ONCE;
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        int channel = pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        assertEquals(borrow.channel(), channel);
        assertTrue(pair.a.send(frame(channel, 0, length, true)));
        MediaFrame got = pair.hb.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(got, "no frame; borrows ended: " + pair.hb.borrowsEnded.size());
        assertEquals(frame(channel, 0, length, true).payload(), got.payload());
    }

    // ---- consent and lending ----------------------------------------------------------------------------------------

    @Test
    void shouldKeepTheSessionWhileADeviceTakesLongerThanTheSilenceLimitToStart() throws Exception {
        // The consent is given at once, so the lend is prepared on the control stream's reader; the peer's heartbeats
        // wait unread meanwhile, which is this host's doing, not the peer's silence.
        paired();
        pair.ha.prepareMillis = PeerSession.Config.DEFAULT.silenceLimit().toMillis() + 1500;
        Borrow borrow = pair.b.borrow("cam0", "").get(15, TimeUnit.SECONDS);
        assertEquals("cam0", borrow.deviceId());
        assertEquals(PeerSession.State.READY, pair.a.state(), "the owner: " + pair.a.end());
        assertEquals(PeerSession.State.READY, pair.b.state(), "the borrower: " + pair.b.end());
        pair.ha.prepareMillis = 0;
        // Its silence check still works once it listens again: the borrower's next borrow is answered as before.
        assertEquals("cam1", pair.b.borrow("cam1", "").get(5, TimeUnit.SECONDS).deviceId());
    }

    @Test
    void shouldLendOnlyWithConsentAndCarryFrames() throws Exception {
        paired();
        pair.ha.consent = SessionHandler.Consent.DENY;
        ExecutionException denied = assertThrows(ExecutionException.class,
                () -> pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS));
        assertInstanceOf(ConsentDeniedException.class, denied.getCause());
        assertEquals(0, pair.ha.lendsPrepared.get(), "nothing prepared without consent");

        pair.ha.consent = SessionHandler.Consent.ALLOW_ONCE;
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        assertEquals("cam0", borrow.deviceId());
        assertTrue(borrow.caps().startsWith("video/x-raw"));
        int channel = pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        assertEquals(borrow.channel(), channel);
        assertTrue(pair.a.send(frame(channel, 0, 300_000, true)));
        MediaFrame got = pair.hb.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(got);
        assertEquals(frame(channel, 0, 300_000, true).payload(), got.payload());

        pair.b.giveBack(channel);
        assertEquals(channel, pair.ha.lendsEnded.poll(5, TimeUnit.SECONDS)[0]);
        assertFalse(pair.a.send(frame(channel, 1, 10, false)), "a returned device cannot be sent");

        pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        assertEquals(3, pair.ha.consentAsked.get(), "'once' asks again next time");
    }

    @Test
    void shouldRememberAlwaysAndNotAskAgain() throws Exception {
        paired();
        pair.ha.consent = SessionHandler.Consent.ALLOW_ALWAYS;
        Borrow first = pair.b.borrow("cam1", "").get(5, TimeUnit.SECONDS);
        pair.b.giveBack(first.channel());
        pair.ha.consent = SessionHandler.Consent.DENY;
        pair.b.borrow("cam1", "").get(5, TimeUnit.SECONDS);
        assertEquals(1, pair.ha.consentAsked.get());
        assertTrue(pair.storeA.find(pair.bed.hostB().uuid()).orElseThrow().alwaysAllowed().contains("cam1"));
    }

    @Test
    void shouldRefuseDevicesItDoesNotOfferOrCannotLend() throws Exception {
        paired();
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> pair.b.borrow("nope", "").get(5, TimeUnit.SECONDS));
        assertTrue(unknown.getCause().getMessage().contains("no device nope"), unknown.getCause().getMessage());
        ExecutionException busy = assertThrows(ExecutionException.class,
                () -> pair.b.borrow("busy", "").get(5, TimeUnit.SECONDS));
        assertTrue(busy.getCause().getMessage().contains("in use by another program"),
                busy.getCause().getMessage());
        assertEquals(PeerSession.State.READY, pair.b.state(), "the session survives");
    }

    @Test
    void shouldRefuseADeviceAlreadyLentToTheAskingPeerWithoutAskingThePersonAgain() throws Exception {
        paired();
        pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        ExecutionException again = assertThrows(ExecutionException.class,
                () -> pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS));
        ConsentDeniedException denied = assertInstanceOf(ConsentDeniedException.class, again.getCause());
        assertEquals(Optional.of(ProtocolError.DEVICE_BUSY), denied.ownerError());
        assertEquals(1, pair.ha.consentAsked.get(), "the person was asked once");
        assertEquals(1, pair.ha.lendsPrepared.get(), "nothing prepared for the second request");
    }

    @Test
    void shouldNotGiveAPersonsNoTheReasonOfAnEarlierRefusal() throws Exception {
        paired();
        ExecutionException busy = assertThrows(ExecutionException.class,
                () -> pair.b.borrow("busy", "").get(5, TimeUnit.SECONDS));
        assertEquals(Optional.of(ProtocolError.DEVICE_BUSY),
                ((ConsentDeniedException) busy.getCause()).ownerError());
        pair.ha.consent = SessionHandler.Consent.DENY;
        ExecutionException no = assertThrows(ExecutionException.class,
                () -> pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS));
        ConsentDeniedException denied = assertInstanceOf(ConsentDeniedException.class, no.getCause());
        assertEquals(Optional.empty(), denied.ownerError(), "a person's no has no owner's error");
        assertFalse(denied.getMessage().contains("in use"), denied.getMessage());
    }

    @Test
    void shouldStopTheBorrowersFramesSoonAfterARevoke() throws Exception {
        paired();
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        pair.a.send(frame(borrow.channel(), 0, 1000, true));
        assertNotNull(pair.hb.frames.poll(5, TimeUnit.SECONDS));
        long revokedAt = System.nanoTime();
        pair.a.revoke(borrow.channel());
        long[] ended = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(ended);
        assertEquals(ControlMessage.Stop.REVOKED, ended[1]);
        assertTrue(ended[2] - revokedAt < TimeUnit.SECONDS.toNanos(1), "ended after "
                + (ended[2] - revokedAt) / 1000 + " us");
        assertFalse(pair.a.send(frame(borrow.channel(), 1, 1000, false)));
    }

    @Test
    void shouldPassPauseKeyFrameRequestsAndCapsChangesMidStream() throws Exception {
        paired();
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        int ch = borrow.channel();
        pair.b.pause(ch, true);
        assertEquals("pause " + ch, pair.ha.requests.poll(5, TimeUnit.SECONDS));
        assertFalse(pair.a.send(frame(ch, 0, 100, true)), "nothing is sent while the borrower paused");
        pair.b.pause(ch, false);
        assertEquals("resume " + ch, pair.ha.requests.poll(5, TimeUnit.SECONDS));
        pair.b.requestKeyFrame(ch);
        assertEquals("key frame " + ch, pair.ha.requests.poll(5, TimeUnit.SECONDS));

        assertTrue(pair.a.send(frame(ch, 0, 100, true)));
        MediaFrame before = pair.hb.frames.poll(5, TimeUnit.SECONDS);
        assertEquals(1, before.capsVersion(), "frames carry the CAPS version they were made for");
        pair.a.renegotiate(ch, "image/jpeg,width=1280,height=720");
        assertTrue(pair.a.send(frame(ch, 1, 100, true)));
        Borrow changed = pair.hb.capsChanged.poll(5, TimeUnit.SECONDS);
        assertNotNull(changed);
        assertEquals("image/jpeg,width=1280,height=720", changed.caps());
        assertEquals("cam0", changed.deviceId());
        MediaFrame after = pair.hb.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(after, "frames go on after the change");
        assertEquals(2, after.capsVersion());
        assertEquals(1, after.sequence());
        Transfers.await(() -> pair.ha.framesSent.get() == 2, Duration.ofSeconds(5),
                "the owner hears that both frames are written, so their buffers can be reused");
        assertThrows(SessionException.class, () -> pair.b.pause(99, true), "only borrowed channels");
        assertTrue(pair.a.dataStreamSent().bytes() > 100 && pair.b.dataStreamReceived().bytes() > 100);
        assertTrue(pair.a.dataStreamSent().fragments() >= 1);
        assertEquals(Map.of(ch, "cam0"), pair.a.lending());
        assertEquals(List.of(changed), pair.b.borrowing());
        // The owner reports its side of the channel once or twice a second.
        ControlMessage.Stats report = pair.hb.peerStats.poll(3, TimeUnit.SECONDS);
        assertNotNull(report);
        assertEquals(ch, report.channel());
        assertTrue(report.frames() >= 1, report.toString());
    }

    @Test
    void shouldChangeTheFormatWhenTheBorrowerAsksAndCarryFramesInTheNewCaps() throws Exception {
        paired();
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        int ch = borrow.channel();
        pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        pair.ha.formatChange = (channel, wish) -> {
            try {
                pair.a.renegotiate(channel, "image/jpeg,width=1280,height=720");
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            } catch (SessionException e) {
                return java.util.concurrent.CompletableFuture.failedFuture(e);
            }
        };
        Borrow changed = pair.b.requestFormat(ch, "image/jpeg,width=1280").get(5, TimeUnit.SECONDS);
        assertEquals(ch + " image/jpeg,width=1280", pair.ha.formatRequests.poll(5, TimeUnit.SECONDS));
        assertEquals("image/jpeg,width=1280,height=720", changed.caps());
        assertEquals(changed, pair.hb.capsChanged.poll(5, TimeUnit.SECONDS), "the borrower's app followed");
        assertTrue(pair.a.send(frame(ch, 0, 100, true)));
        MediaFrame after = pair.hb.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(after);
        assertEquals(2, after.capsVersion(), "frames after the change carry its version");

        // A change to what is sent already is answered with the same caps, so the wait ends.
        pair.ha.formatChange = (channel, wish) -> java.util.concurrent.CompletableFuture.completedFuture(null);
        assertEquals("image/jpeg,width=1280,height=720",
                pair.b.requestFormat(ch, "").get(5, TimeUnit.SECONDS).caps());
    }

    @Test
    void shouldCarryTheOwnersRefusalOfAFormatAndKeepTheChannelAsItWas() throws Exception {
        paired();
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        int ch = borrow.channel();
        pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> pair.b.requestFormat(ch, "video/x-h264").get(5, TimeUnit.SECONDS));
        ConsentDeniedException why = assertInstanceOf(ConsentDeniedException.class, refused.getCause());
        assertEquals(Optional.of(ProtocolError.FORMAT_NOT_POSSIBLE), why.ownerError());
        assertTrue(why.getMessage().contains("cannot change the format"), why.getMessage());
        assertEquals(PeerSession.State.READY, pair.b.state());
        assertEquals(List.of(borrow), pair.b.borrowing(), "the borrow goes on in its caps");
        assertTrue(pair.a.send(frame(ch, 0, 100, true)));
        assertEquals(1, pair.hb.frames.poll(5, TimeUnit.SECONDS).capsVersion());

        // What the borrower cannot ask for is refused before anything is sent.
        assertThrows(SessionException.class, () -> pair.b.requestFormat(ch + 1, ""), "only borrowed channels");
        SessionException tooLong = assertThrows(SessionException.class,
                () -> pair.b.requestFormat(ch, "video/x-raw,format=" + "N".repeat(300)));
        assertTrue(tooLong.getMessage().contains("at most 256"), tooLong.getMessage());
        java.util.concurrent.CompletableFuture<Void> hold = new java.util.concurrent.CompletableFuture<>();
        pair.ha.formatChange = (channel, wish) -> hold;
        var first = pair.b.requestFormat(ch, "image/jpeg");
        SessionException twice = assertThrows(SessionException.class, () -> pair.b.requestFormat(ch, "video/x-raw"));
        assertTrue(twice.getMessage().contains("already waiting"), twice.getMessage());
        pair.b.giveBack(ch);
        ExecutionException ended = assertThrows(ExecutionException.class, () -> first.get(5, TimeUnit.SECONDS));
        assertTrue(ended.getCause().getMessage().contains("given back"), ended.getCause().getMessage());
        hold.complete(null);
    }

    @Test
    void shouldLendWhatTheOwnerOffersWhenTheBorrowerAccepts() throws Exception {
        paired();
        pair.a.offer("cam1");
        Borrow b = pair.hb.borrowsStarted.poll(5, TimeUnit.SECONDS);
        assertNotNull(b);
        assertEquals("cam1", b.deviceId());
        assertEquals(0, pair.ha.consentAsked.get(), "the owner offered: its own consent is the offer");
        pair.a.send(frame(b.channel(), 0, 10, true));
        assertNotNull(pair.hb.frames.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldTellTheOwnerWhenTheBorrowerDeclinesAnOffer() throws Exception {
        paired();
        pair.hb.acceptOffers = false;
        pair.a.offer("cam1");
        assertEquals("cam1", pair.ha.offersDeclined.poll(5, TimeUnit.SECONDS));
        assertTrue(pair.a.lending().isEmpty(), "nothing lent when the offer is declined");
        assertNull(pair.hb.borrowsStarted.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void shouldCatchAFrameTheHardwareDamagedAndKeepTheSession() throws Exception {
        paired();
        pair.ha.consent = SessionHandler.Consent.ALLOW_ONCE;
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        int channel = pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        // The driver delivers a damaged packet anyway: only the frame's CRC can tell.
        pair.bed.hostA().damageNextPackets(pair.pa.stream("hwdata").address().service(), "hwdata", 1);
        assertTrue(pair.a.send(frame(channel, 0, 300_000, true)));
        long[] ended = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(ended, "the damaged frame was not delivered as good");
        assertEquals(borrow.channel(), ended[0]);
        assertEquals(ControlMessage.Stop.FAILED, ended[1]);
        assertTrue(pair.hb.frames.isEmpty(), "nothing damaged reached the app");
        assertEquals(PeerSession.State.READY, pair.b.state(), "only that channel ended; the session goes on");
        pair.b.borrow("cam1", "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldCarryTenThousandBuffersOnThreeChannelsInOrderAndIntact() throws Exception {
        paired();
        // Queues large enough that nothing is dropped: this test is about order and integrity.
        PeerSession.Config roomy = PeerSession.Config.DEFAULT.withQueues(20_000, 20_000);
        pair.restart(roomy, roomy);
        pair.awaitReady();
        List<Borrow> borrows = new ArrayList<>();
        for (String device : List.of("cam0", "cam1", "mic0")) {
            borrows.add(pair.b.borrow(device, "").get(5, TimeUnit.SECONDS));
        }
        int perChannel = 3334;
        Map<Integer, Long> sentCrc = new HashMap<>();
        for (int i = 0; i < perChannel; i++) {
            for (Borrow b : borrows) {
                int size = b.deviceId().startsWith("mic") ? 1920 : (i % 30 == 0 ? 150_000 : 20_000 + i % 7_000);
                MediaFrame f = frame(b.channel(), i, size, i % 30 == 0);
                CRC32C crc = new CRC32C();
                crc.update(f.payload().duplicate());
                sentCrc.merge(b.channel(), crc.getValue(), (x, y) -> x * 31 + y);
                assertTrue(pair.a.send(f));
            }
        }
        Map<Integer, Long> gotCrc = new HashMap<>();
        Map<Integer, Long> nextSeq = new HashMap<>();
        for (int n = 0; n < perChannel * borrows.size(); n++) {
            MediaFrame f = pair.hb.frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "frame " + n + " of " + perChannel * borrows.size());
            long expected = nextSeq.getOrDefault(f.channel(), 0L);
            assertEquals(expected, f.sequence(), "in order on channel " + f.channel());
            nextSeq.put(f.channel(), expected + 1);
            CRC32C crc = new CRC32C();
            crc.update(f.payload().duplicate());
            gotCrc.merge(f.channel(), crc.getValue(), (x, y) -> x * 31 + y);
            // Buffers go back to the pool and come again for later frames: reuse must not corrupt them.
            pair.b.recycle(f);
        }
        assertEquals(sentCrc, gotCrc);
        for (Borrow b : borrows) {
            assertEquals(0, pair.a.sentStats(b.channel()).drops());
            assertEquals(perChannel, pair.b.receivedStats(b.channel()).frames());
            assertTrue(pair.b.receivedStats(b.channel()).latencyUs(0.99) > 0, "reassembly latency is recorded");
        }
    }

    @Test
    void shouldDropOldVideoButNotBlockWhenTheQueueOverflows() throws Exception {
        paired();
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        // Far more than the 8-frame queue while the link is busy: the sender must not block or grow.
        for (int i = 0; i < 400; i++) {
            assertTrue(pair.a.send(frame(borrow.channel(), i, 400_000, i % 50 == 0)));
        }
        Thread.sleep(500);
        long received = pair.hb.frames.size();
        // Dropped by the owner's send queue, or by the borrower's hand-off queue when its consumer lags.
        long dropped = pair.a.sentStats(borrow.channel()).drops() + pair.b.receivedStats(borrow.channel()).drops();
        assertEquals(400, received + dropped, "every frame arrived or was counted as dropped");
        long lastSeq = -1;
        for (MediaFrame f : pair.hb.frames) {
            assertTrue(f.sequence() > lastSeq, "what arrives is in order");
            lastSeq = f.sequence();
        }
    }

    // ---- failures ------------------------------------------------------------------------------------------------

    @Test
    void shouldEndWithAProtocolErrorOnMalformedInputAndTellThePeer() throws Exception {
        pair = new SessionPair(dir);
        // Only A runs a session; the test plays B by hand on B's streams.
        var raw = pair.openRawB();
        var control = raw[0];
        var data = raw[1];
        pair.startA();
        var w = new org.hopwire.engine.protocol.WireWriter(256);
        org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0,
                pair.bed.hostB().uuid(), "x", "x", 0), w);
        control.writeFully(w.toBuffer());
        control.writeFully(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)));
        SessionEnd end = pair.ha.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.PROTOCOL_ERROR, end.reason(), end.message());
        // What A said before it closed: its HELLO, then ERROR and GOODBYE.
        List<ControlMessage> said = new ArrayList<>();
        var decoder = new org.hopwire.engine.protocol.ControlCodec.Decoder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (control.read(buf.clear()) > 0) {
            decoder.feed(buf.flip(), said::add);
        }
        assertInstanceOf(ControlMessage.Hello.class, said.get(0));
        assertTrue(said.stream().anyMatch(m -> m instanceof ControlMessage.ErrorReport), said.toString());
        assertInstanceOf(ControlMessage.Goodbye.class, said.get(said.size() - 1));
        data.close();
        control.close();
        pair.a = null;
    }

    @Test
    void shouldDistrustStreamsThatCarryGarbageBeforeTheHello() throws Exception {
        pair = new SessionPair(dir);
        var raw = pair.openRawB();
        pair.startA();
        // What a follower on a stale announcement reads: another stream's bytes, before any HELLO.
        raw[0].writeFully(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)));
        SessionEnd end = pair.ha.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.LINK_DOWN, end.reason(), "nothing was trusted yet: set up again");
        assertTrue(end.message().contains("set up again"), end.message());
        raw[1].close();
        raw[0].close();
        pair.a = null;
    }

    @Test
    void shouldAnswerAGoodbyeSoThePeerKnowsItArrivedBeforeClosing() throws Exception {
        pair = new SessionPair(dir);
        var raw = pair.openRawB();
        pair.startA();
        var w = new org.hopwire.engine.protocol.WireWriter(256);
        org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0,
                pair.bed.hostB().uuid(), "x", "x", 0), w);
        org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.Goodbye(
                ControlMessage.Goodbye.SHUTTING_DOWN), w);
        raw[0].writeFully(w.toBuffer());
        assertEquals(SessionEnd.Reason.PEER_CLOSED, pair.ha.closed.get(10, TimeUnit.SECONDS).reason());
        List<ControlMessage> said = new ArrayList<>();
        var decoder = new org.hopwire.engine.protocol.ControlCodec.Decoder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (raw[0].read(buf.clear()) > 0) {
            decoder.feed(buf.flip(), said::add);
        }
        assertInstanceOf(ControlMessage.Goodbye.class, said.get(said.size() - 1), "answered, then closed: " + said);
        raw[1].close();
        raw[0].close();
        pair.a = null;
    }

    @Test
    void shouldRepeatItsHelloUntilThePeersArrives() throws Exception {
        pair = new SessionPair(dir);
        var raw = pair.openRawB();
        pair.startA();
        List<ControlMessage> said = new ArrayList<>();
        var decoder = new org.hopwire.engine.protocol.ControlCodec.Decoder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (said.stream().filter(m -> m instanceof ControlMessage.Hello).count() < 3
                && System.nanoTime() < deadline) {
            raw[0].read(buf.clear());
            decoder.feed(buf.flip(), said::add);
        }
        // Bytes written before the peer opened may have been lost: so it says hello again and again.
        assertTrue(said.stream().filter(m -> m instanceof ControlMessage.Hello).count() >= 3, said.toString());
        assertTrue(said.stream().filter(m -> m instanceof ControlMessage.Hello).distinct().count() == 1,
                "the same HELLO each time");
        raw[1].close();
        raw[0].close();
    }

    @Test
    void shouldEndWithWordsWhenTheAppsHandlerThrows() throws Exception {
        pair = new SessionPair(dir);
        Recorder throwing = new Recorder() {
            @Override
            public void onCatalog(ControlMessage.Catalog catalog) {
                throw new IllegalStateException("a bug in the app");
            }
        };
        pair.start(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT, new Recorder(), throwing);
        SessionEnd end = throwing.closed.get(10, TimeUnit.SECONDS);
        assertEquals(SessionEnd.Reason.PROTOCOL_ERROR, end.reason());
        assertTrue(end.message().contains("a bug in the app"), end.message());
        assertTrue(pair.b.awaitThreads(Duration.ofSeconds(5)), "no thread hangs on");
    }

    @Test
    void shouldShowAnUnpairedPeerNothingAndLendItNothing() throws Exception {
        pair = new SessionPair(dir);
        var raw = pair.openRawB();
        var control = raw[0];
        var data = raw[1];
        pair.startA();
        pair.a.setCatalog(SessionPair.CATALOG);
        // A hostile peer says hello and asks for the camera without pairing.
        var w = new org.hopwire.engine.protocol.WireWriter(256);
        org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.Hello(PeerSession.PROTOCOL_MAJOR, 0, pair.bed.hostB().uuid(), "x",
                "x", 0), w);
        org.hopwire.engine.protocol.ControlCodec.encode(new ControlMessage.BorrowRequest(1, "cam0", ""), w);
        control.writeFully(w.toBuffer());
        List<ControlMessage> said = new ArrayList<>();
        var decoder = new org.hopwire.engine.protocol.ControlCodec.Decoder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (said.stream().noneMatch(m -> m instanceof ControlMessage.ErrorReport) && System.nanoTime() < deadline) {
            control.read(buf.clear());
            decoder.feed(buf.flip(), said::add);
        }
        ControlMessage.ErrorReport refusal = (ControlMessage.ErrorReport) said.stream()
                .filter(m -> m instanceof ControlMessage.ErrorReport).findFirst().orElseThrow();
        assertEquals(org.hopwire.engine.protocol.ProtocolError.NOT_ALLOWED, refusal.error());
        assertTrue(said.stream().noneMatch(m -> m instanceof ControlMessage.Catalog), "no catalog: " + said);
        assertEquals(0, pair.ha.consentAsked.get());
        assertEquals(0, pair.ha.lendsPrepared.get());
        data.close();
        control.close();
    }


    @Test
    void shouldEndBothSessionsCleanlyWhenTheCableIsPulledMidFrame() throws Exception {
        paired();
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 6; i++) {
            pair.a.send(frame(borrow.channel(), i, 12 << 20, i == 0));
        }
        Thread.sleep(20);
        pair.bed.unplug();
        assertEquals(SessionEnd.Reason.LINK_DOWN, pair.ha.closed.get(10, TimeUnit.SECONDS).reason());
        assertEquals(SessionEnd.Reason.LINK_DOWN, pair.hb.closed.get(10, TimeUnit.SECONDS).reason());
        assertNotNull(pair.hb.borrowsEnded.poll(1, TimeUnit.SECONDS), "the borrow is over");
        assertTrue(pair.a.awaitThreads(Duration.ofSeconds(5)), "no thread of A's session is left");
        assertTrue(pair.b.awaitThreads(Duration.ofSeconds(5)), "no thread of B's session is left");
    }

    @Test
    void shouldGiveBackEveryAcceptedFrameAlsoWhenTheSessionEndsMidSend() throws Exception {
        paired();
        Borrow borrow = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        int accepted = 0;
        for (int i = 0; i < 40; i++) {
            if (pair.a.send(frame(borrow.channel(), i, 4 << 20, i == 0))) {
                accepted++;
            }
        }
        // Ends while frames are queued and one is half written.
        pair.a.close();
        int sent = accepted;
        Transfers.await(() -> pair.ha.framesSent.get() == sent, Duration.ofSeconds(5),
                "every accepted frame given back (" + pair.ha.framesSent.get() + " of " + sent + ")");
        assertFalse(pair.a.send(frame(borrow.channel(), 99, 10, false)), "nothing is accepted after the end");
    }

    @Test
    void shouldKeepAudioFlowingWhileAVideoConsumerIsSlow() throws Exception {
        pair = new SessionPair(dir);
        java.util.concurrent.ConcurrentHashMap<Long, Long> audioDelayNs = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ConcurrentHashMap<Long, Long> audioSentNs = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger videoShown = new java.util.concurrent.atomic.AtomicInteger();
        Recorder slowVideo = new Recorder() {
            @Override
            public void onFrame(MediaFrame f) {
                if (f.payload().remaining() > 10_000) {
                    // A consumer that takes 2 ms per picture.
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                    videoShown.incrementAndGet();
                } else {
                    Long at = audioSentNs.get(f.sequence());
                    audioDelayNs.put(f.sequence(), System.nanoTime() - (at == null ? 0 : at));
                }
            }
        };
        pair.start(PeerSession.Config.DEFAULT, PeerSession.Config.DEFAULT, new Recorder(), slowVideo);
        pair.awaitReady();
        Borrow video = pair.b.borrow("cam0", "").get(5, TimeUnit.SECONDS);
        Borrow audio = pair.b.borrow("mic0", "").get(5, TimeUnit.SECONDS);
        int audioPackets = 100;
        for (int i = 0; i < audioPackets; i++) {
            // Ten pictures per 10 ms: twice what the 2 ms consumer can take.
            for (int v = 0; v < 10; v++) {
                pair.a.send(frame(video.channel(), i * 10L + v, 100_000, v == 0 && i % 30 == 0));
            }
            audioSentNs.put((long) i, System.nanoTime());
            pair.a.send(frame(audio.channel(), i, 1920, true));
            Thread.sleep(10);
        }
        Transfers.await(() -> audioDelayNs.size() == audioPackets, Duration.ofSeconds(10),
                "every audio packet arrives (" + audioDelayNs.size() + ")");
        assertEquals(0, pair.b.receivedStats(audio.channel()).drops(), "no audio dropped");
        long[] delays = audioDelayNs.values().stream().mapToLong(Long::longValue).sorted().toArray();
        long p50Ms = delays[delays.length / 2] / 1_000_000;
        assertTrue(p50Ms < 50, "audio is not held behind video: median " + p50Ms + " ms");
        assertTrue(pair.b.receivedStats(video.channel()).drops() + pair.a.sentStats(video.channel()).drops() > 0,
                "slow video drops its own frames");
        assertTrue(videoShown.get() > 0);
    }
}
