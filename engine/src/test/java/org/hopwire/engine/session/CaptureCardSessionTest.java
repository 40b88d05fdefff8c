package org.hopwire.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.protocol.ControlMessage;
import org.hopwire.engine.protocol.FragmentHeader;
import org.hopwire.engine.protocol.FrameSeal;
import org.hopwire.engine.protocol.MediaFrame;
import org.hopwire.engine.protocol.ProtocolError;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture card (pictures and sound together) lent as one borrow over two channels (protocol 3.2, docs/protocol.md,
 * 7.2): one consent, two CAPS that name each other, and the halves start, pause, stop and fail together, whichever
 * side or half says so. Then the same against a peer played by hand: an older peer, a borrower that starts or stops
 * one half, an owner that groups channels wrongly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaptureCardSessionTest {
    static final ControlMessage.Catalog CATALOG = new ControlMessage.Catalog(List.of(
            new ControlMessage.Device("cam0", ControlMessage.Device.VIDEO, "Test camera", List.of()),
            new ControlMessage.Device("card0", ControlMessage.Device.AUDIO_VIDEO, "Capture card", List.of(
                    new ControlMessage.Format("video/x-raw", "I420", 640, 480, 30, 1),
                    new ControlMessage.Format("audio/x-raw", "S16LE", 0, 0, 48000, 1)))));

    @TempDir
    Path dir;

    private SessionPair pair;
    private HostilePeer hostile;

    @AfterEach
    void tearDown() {
        if (hostile != null) {
            hostile.close();
        }
        if (pair != null) {
            pair.close();
        }
    }

    private void bothHonest() throws Exception {
        pair = new SessionPair(dir);
        pair.start();
        pair.awaitReady();
        pair.a.setCatalog(CATALOG);
        Transfers.await(() -> pair.b.peerCatalog().devices().stream().anyMatch(d -> d.id().equals("card0")),
                Duration.ofSeconds(5), "B sees the capture card");
    }

    /** B borrows A's capture card; returns {video channel, audio channel} on B, both started on A. */
    private int[] borrowCard() throws Exception {
        Borrow video = pair.b.borrow("card0", "").get(10, TimeUnit.SECONDS);
        assertFalse(video.isAudio(), "the borrow's future gives the pictures' half");
        assertTrue(video.grouped());
        Borrow first = pair.hb.borrowsStarted.poll(5, TimeUnit.SECONDS);
        Borrow second = pair.hb.borrowsStarted.poll(5, TimeUnit.SECONDS);
        assertNotNull(second, "both halves started on the borrower");
        assertEquals(video, first);
        assertTrue(second.isAudio());
        assertEquals(video.channel(), second.partner());
        assertEquals(second.channel(), video.partner());
        Integer l1 = pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        Integer l2 = pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        assertEquals(Set.of(video.channel(), second.channel()), Set.of(l1, l2), "the owner started both halves");
        assertEquals(1, pair.ha.groupsPrepared.get(), "one capture for both");
        assertEquals(1, pair.ha.consentAsked.get(), "one question for both");
        return new int[] {video.channel(), second.channel()};
    }

    private static MediaFrame frame(int channel, long seq) {
        return new MediaFrame(channel, seq, seq * 33_000_000L, -1, 33_000_000L, FragmentHeader.KEY_FRAME,
                ByteBuffer.wrap(new byte[] {(byte) channel, (byte) seq}));
    }

    @Test
    void shouldLendACaptureCardAsOneBorrowOfTwoChannelsThatBothCarryFrames() throws Exception {
        bothHonest();
        int[] ch = borrowCard();
        assertEquals(2, pair.b.borrowing().size());
        assertEquals(2, pair.a.lending().size());
        for (int i = 0; i < 3; i++) {
            assertTrue(pair.a.send(frame(ch[0], i)));
            assertTrue(pair.a.send(frame(ch[1], i)));
        }
        List<Integer> channels = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            MediaFrame f = pair.hb.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(f, "frame " + i);
            channels.add(f.channel());
        }
        assertEquals(3, channels.stream().filter(c -> c == ch[0]).count());
        assertEquals(3, channels.stream().filter(c -> c == ch[1]).count());
    }

    @Test
    void shouldPauseBothHalvesWhenTheBorrowerPausesEither() throws Exception {
        bothHonest();
        int[] ch = borrowCard();
        pair.b.pause(ch[1], true);
        Set<String> heard = Set.of(pair.ha.requests.poll(5, TimeUnit.SECONDS),
                pair.ha.requests.poll(5, TimeUnit.SECONDS));
        assertEquals(Set.of("pause " + ch[0], "pause " + ch[1]), heard);
        assertFalse(pair.a.send(frame(ch[0], 0)), "the pictures pause with the sound");
        assertFalse(pair.a.send(frame(ch[1], 0)));
        pair.b.pause(ch[0], false);
        assertEquals(Set.of("resume " + ch[0], "resume " + ch[1]), Set.of(pair.ha.requests.poll(5, TimeUnit.SECONDS),
                pair.ha.requests.poll(5, TimeUnit.SECONDS)));
        assertTrue(pair.a.send(frame(ch[1], 1)));
    }

    @Test
    void shouldEndBothHalvesWhenTheBorrowerReturnsTheSound() throws Exception {
        bothHonest();
        int[] ch = borrowCard();
        pair.b.giveBack(ch[1]);
        long[] other = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(other, "the borrower's app hears that the pictures went back too");
        assertEquals(ch[0], other[0]);
        assertEquals(ControlMessage.Stop.RETURNED, other[1]);
        Set<Integer> ended = Set.of(pair.ha.lendsEnded.poll(5, TimeUnit.SECONDS)[0],
                pair.ha.lendsEnded.poll(5, TimeUnit.SECONDS)[0]);
        assertEquals(Set.of(ch[0], ch[1]), ended, "the owner ends both halves on one STOP");
        Transfers.await(() -> pair.a.lending().isEmpty() && pair.b.borrowing().isEmpty(), Duration.ofSeconds(5),
                "nothing left of the borrow");
    }

    @Test
    void shouldEndBothHalvesWithTheSameReasonWhenTheDeviceFailsOrIsRevoked() throws Exception {
        bothHonest();
        int[] ch = borrowCard();
        pair.a.endLend(ch[0], ControlMessage.Stop.DEVICE_GONE, "the capture card was pulled out");
        long[] e1 = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        long[] e2 = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(e2, "both halves ended on the borrower");
        assertEquals(Set.of((long) ch[0], (long) ch[1]), Set.of(e1[0], e2[0]));
        assertEquals(ControlMessage.Stop.DEVICE_GONE, e1[1]);
        assertEquals(ControlMessage.Stop.DEVICE_GONE, e2[1], "with the same reason");
        assertTrue(pair.a.lending().isEmpty());

        // Borrowed again, then revoked by the owner's person: the same, with "revoked".
        pair.hb.borrowsStarted.clear();
        pair.ha.lendsStarted.clear();
        pair.ha.groupsPrepared.set(0);
        pair.ha.consentAsked.set(0);
        int[] again = borrowCard();
        pair.a.revoke(again[1]);
        long[] r1 = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        long[] r2 = pair.hb.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(r2);
        assertEquals(ControlMessage.Stop.REVOKED, r1[1]);
        assertEquals(ControlMessage.Stop.REVOKED, r2[1]);
        Transfers.await(() -> pair.b.borrowing().isEmpty(), Duration.ofSeconds(5), "nothing borrowed");
    }

    @Test
    void shouldLendACaptureCardTheOwnerOffersAsOneBorrowOfBothHalves() throws Exception {
        bothHonest();
        pair.a.offer("card0");
        Borrow first = pair.hb.borrowsStarted.poll(10, TimeUnit.SECONDS);
        Borrow second = pair.hb.borrowsStarted.poll(5, TimeUnit.SECONDS);
        assertNotNull(second, "both halves started on the borrower that accepted");
        assertFalse(first.isAudio());
        assertTrue(second.isAudio());
        assertEquals(first.channel(), second.partner());
        assertEquals(Set.of(first.channel(), second.channel()), Set.of(pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS),
                pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS)));
        assertEquals(1, pair.ha.groupsPrepared.get());
    }

    // ---- against a peer played by hand -----------------------------------------------------------------------------

    private void withHostileBorrower(int minor) throws Exception {
        pair = new SessionPair(dir);
        pair.ha = new Recorder();
        pair.a = SessionPair.startOne(pair.bed.a(), pair.pa, "alpha", PeerSession.Config.DEFAULT, pair.storeA,
                pair.ha);
        pair.a.setCatalog(CATALOG);
        hostile = new HostilePeer(pair, pair.storeB, FrameSeal.Protection.ENCRYPTED, minor);
        hostile.awaitReady();
        SessionPair.awaitState(pair.a, PeerSession.State.READY);
    }

    @Test
    void shouldNeitherListNorLendACaptureCardToA31Peer() throws Exception {
        withHostileBorrower(1);
        ControlMessage.Catalog seen = hostile.await(ControlMessage.Catalog.class, c -> true);
        assertEquals(List.of("cam0"), seen.devices().stream().map(ControlMessage.Device::id).toList(),
                "a 3.1 peer would take a device of two kinds for a microphone: it does not see it");
        hostile.send(new ControlMessage.BorrowRequest(40, "card0", ""));
        ControlMessage.Consent no = hostile.await(ControlMessage.Consent.class, c -> c.requestId() == 40);
        assertEquals(ControlMessage.Consent.DENY, no.answer());
        assertEquals(0, pair.ha.consentAsked.get(), "nobody was asked");
        assertEquals(0, pair.ha.groupsPrepared.get());
        assertThrows(SessionException.class, () -> pair.a.offer("card0"), "nor offered to it");
        // A 3.1 peer still borrows a camera as before.
        hostile.send(new ControlMessage.BorrowRequest(41, "cam0", ""));
        ControlMessage.Caps caps = hostile.await(ControlMessage.Caps.class, c -> c.requestId() == 41);
        assertFalse(caps.grouped());
    }

    /** The hand-played borrower asks for the card and gets both CAPS: {video, audio} channel. */
    private int[] hostileBorrowsCard() throws Exception {
        hostile.send(new ControlMessage.BorrowRequest(50, "card0", ""));
        ControlMessage.Caps v = hostile.await(ControlMessage.Caps.class, c -> c.requestId() == 50);
        ControlMessage.Caps a = hostile.await(ControlMessage.Caps.class, c -> c.requestId() == 50);
        assertTrue(v.grouped() && a.grouped());
        assertEquals(a.channel(), v.partner());
        assertEquals(v.channel(), a.partner());
        assertTrue(a.caps().startsWith("audio/") && !v.caps().startsWith("audio/"), "pictures first, then sound");
        return new int[] {v.channel(), a.channel()};
    }

    @Test
    void shouldStartNothingUntilTheBorrowerStartsBothHalvesAndIgnoreStartsOfChannelsNotLent() throws Exception {
        withHostileBorrower(PeerSession.PROTOCOL_MINOR);
        int[] ch = hostileBorrowsCard();
        hostile.send(new ControlMessage.Start(ch[0]), new ControlMessage.Start(77), new ControlMessage.Start(ch[0]));
        assertNull(pair.ha.lendsStarted.poll(500, TimeUnit.MILLISECONDS), "one half started is no half running");
        hostile.send(new ControlMessage.Start(ch[1]));
        Integer s1 = pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        Integer s2 = pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        assertEquals(Set.of(ch[0], ch[1]), Set.of(s1, s2));
        assertNull(pair.ha.lendsStarted.poll(200, TimeUnit.MILLISECONDS), "channel 77 was never lent");
        assertEquals(PeerSession.State.READY, pair.a.state());
    }

    @Test
    void shouldEndBothHalvesWhenTheBorrowerStopsOneAndLeaveOtherLendsAlone() throws Exception {
        withHostileBorrower(PeerSession.PROTOCOL_MINOR);
        hostile.send(new ControlMessage.BorrowRequest(49, "cam0", ""));
        int cam = hostile.await(ControlMessage.Caps.class, c -> c.requestId() == 49).channel();
        hostile.send(new ControlMessage.Start(cam));
        assertEquals(cam, pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS));
        int[] ch = hostileBorrowsCard();
        hostile.send(new ControlMessage.Start(ch[0]), new ControlMessage.Start(ch[1]));
        pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        pair.ha.lendsStarted.poll(5, TimeUnit.SECONDS);
        // A STOP of the sound "as the lender" names nothing it lends: ignored. As the borrower: both halves end.
        hostile.send(new ControlMessage.Stop(ch[1], ControlMessage.Stop.RETURNED, ControlMessage.Stop.SENDER_LENDS));
        assertNull(pair.ha.lendsEnded.poll(300, TimeUnit.MILLISECONDS));
        hostile.send(new ControlMessage.Stop(ch[1], ControlMessage.Stop.RETURNED,
                ControlMessage.Stop.SENDER_BORROWS));
        Set<Integer> ended = Set.of(pair.ha.lendsEnded.poll(5, TimeUnit.SECONDS)[0],
                pair.ha.lendsEnded.poll(5, TimeUnit.SECONDS)[0]);
        assertEquals(Set.of(ch[0], ch[1]), ended);
        assertNull(pair.ha.lendsEnded.poll(300, TimeUnit.MILLISECONDS), "the camera's lend goes on");
        assertEquals(java.util.Map.of(cam, "cam0"), pair.a.lending());
        // A second STOP for the other half, now lent to nobody, changes nothing either.
        hostile.send(new ControlMessage.Stop(ch[0], ControlMessage.Stop.RETURNED,
                ControlMessage.Stop.SENDER_BORROWS));
        assertNull(pair.ha.lendsEnded.poll(300, TimeUnit.MILLISECONDS));
        assertEquals(java.util.Map.of(cam, "cam0"), pair.a.lending());
    }

    /** A borrows B's capture card; B is played by hand and answers the request as {@code answer} says. */
    private CompletableFuture<Borrow> borrowFromHostileOwner(long[] requestId) throws Exception {
        withHostileBorrower(PeerSession.PROTOCOL_MINOR);
        hostile.send(CATALOG);
        Transfers.await(() -> pair.a.peerCatalog().devices().size() == 2, Duration.ofSeconds(5), "A sees B's card");
        CompletableFuture<Borrow> f = pair.a.borrow("card0", "");
        requestId[0] = hostile.await(ControlMessage.BorrowRequest.class, r -> r.deviceId().equals("card0"))
                .requestId();
        return f;
    }

    private static final String VIDEO = "video/x-raw,format=I420,width=64,height=48";
    private static final String AUDIO = "audio/x-raw,format=S16LE,rate=48000,channels=2";

    @Test
    void shouldRefuseAGroupWhoseOtherHalfIsAnotherBorrowsChannel() throws Exception {
        long[] id = new long[1];
        CompletableFuture<Borrow> card = borrowFromHostileOwner(id);
        // Another borrow first, on channel 9.
        CompletableFuture<Borrow> cam = pair.a.borrow("cam0", "");
        long camId = hostile.await(ControlMessage.BorrowRequest.class, r -> r.deviceId().equals("cam0")).requestId();
        hostile.send(new ControlMessage.Consent(camId, ControlMessage.Consent.ALLOW_ONCE),
                new ControlMessage.Caps(9, camId, 1, VIDEO));
        assertEquals(9, cam.get(5, TimeUnit.SECONDS).channel());
        assertEquals(9, pair.ha.borrowsStarted.poll(5, TimeUnit.SECONDS).channel());
        // The card's pictures claim channel 9 as their sound.
        hostile.send(new ControlMessage.Consent(id[0], ControlMessage.Consent.ALLOW_ONCE),
                new ControlMessage.Caps(4, id[0], 1, VIDEO, 9));
        ExecutionException e = assertThrows(ExecutionException.class, () -> card.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("another borrow"), e.getCause().getMessage());
        ControlMessage.Stop stop = hostile.await(ControlMessage.Stop.class, s -> s.channel() == 4);
        assertEquals(ControlMessage.Stop.SENDER_BORROWS, stop.side());
        assertNull(pair.ha.borrowsStarted.poll(300, TimeUnit.MILLISECONDS), "nothing of the card plays");
        assertEquals(1, pair.a.borrowing().size(), "the camera's borrow goes on");
        assertEquals(9, pair.a.borrowing().get(0).channel());
        assertEquals(PeerSession.State.READY, pair.a.state());
    }

    @Test
    void shouldRefuseHalvesThatDoNotNameEachOtherOrAreOfOneKind() throws Exception {
        long[] id = new long[1];
        CompletableFuture<Borrow> card = borrowFromHostileOwner(id);
        hostile.send(new ControlMessage.Consent(id[0], ControlMessage.Consent.ALLOW_ONCE),
                new ControlMessage.Caps(4, id[0], 1, VIDEO, 5),
                new ControlMessage.Caps(5, id[0], 1, VIDEO, 4));
        ExecutionException e = assertThrows(ExecutionException.class, () -> card.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("one kind"), e.getCause().getMessage());
        hostile.await(ControlMessage.Stop.class, s -> s.channel() == 5);
        assertTrue(pair.a.borrowing().isEmpty());
        assertNull(pair.ha.borrowsStarted.poll(200, TimeUnit.MILLISECONDS));

        CompletableFuture<Borrow> again = pair.a.borrow("card0", "");
        long id2 = hostile.await(ControlMessage.BorrowRequest.class, r -> r.deviceId().equals("card0")).requestId();
        hostile.send(new ControlMessage.Consent(id2, ControlMessage.Consent.ALLOW_ONCE),
                new ControlMessage.Caps(4, id2, 1, VIDEO, 5),
                new ControlMessage.Caps(5, id2, 1, AUDIO, 6));
        e = assertThrows(ExecutionException.class, () -> again.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("do not name each other"), e.getCause().getMessage());
        assertTrue(pair.a.borrowing().isEmpty());
        assertEquals(PeerSession.State.READY, pair.a.state());
    }

    @Test
    void shouldGiveUpAHalfWhoseOtherHalfNeverComes() throws Exception {
        long[] id = new long[1];
        CompletableFuture<Borrow> card = borrowFromHostileOwner(id);
        // The hand-played peer keeps the session alive meanwhile, as a real one's heartbeat does.
        java.util.concurrent.ScheduledExecutorService beat = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();
        beat.scheduleAtFixedRate(() -> {
            try {
                hostile.send(new ControlMessage.Heartbeat(seq.getAndIncrement(), System.nanoTime()));
            } catch (java.io.IOException e) {
                // the session ended: the assertions below say so
            }
        }, 0, 400, TimeUnit.MILLISECONDS);
        try {
            giveUpTheLoneHalf(id[0], card);
        } finally {
            beat.shutdownNow();
        }
    }

    private void giveUpTheLoneHalf(long requestId, CompletableFuture<Borrow> card) throws Exception {
        long[] id = {requestId};
        hostile.send(new ControlMessage.Consent(id[0], ControlMessage.Consent.ALLOW_ONCE),
                new ControlMessage.Caps(4, id[0], 1, VIDEO, 5));
        assertNull(hostile.received.stream().filter(m -> m instanceof ControlMessage.Start).findAny().orElse(null));
        ControlMessage.Stop stop = hostile.await(ControlMessage.Stop.class, s -> s.channel() == 4,
                Duration.ofSeconds(10));
        assertEquals(ControlMessage.Stop.FAILED, stop.reason());
        ExecutionException e = assertThrows(ExecutionException.class, () -> card.get(1, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("did not come"), e.getCause().getMessage());
        assertTrue(pair.a.borrowing().isEmpty());
        assertNull(pair.ha.borrowsStarted.poll(100, TimeUnit.MILLISECONDS));
        assertFalse(hostile.received.stream().anyMatch(m -> m instanceof ControlMessage.Start),
                "no half was ever started");
    }

    @Test
    void shouldStartBothHalvesFromAnHonestlyGroupingOwnerInEitherOrder() throws Exception {
        long[] id = new long[1];
        CompletableFuture<Borrow> card = borrowFromHostileOwner(id);
        hostile.send(new ControlMessage.Consent(id[0], ControlMessage.Consent.ALLOW_ONCE),
                new ControlMessage.Caps(7, id[0], 1, AUDIO, 3),
                new ControlMessage.Caps(3, id[0], 1, VIDEO, 7));
        Borrow video = card.get(5, TimeUnit.SECONDS);
        assertEquals(new Borrow(3, "card0", VIDEO, 7), video);
        hostile.await(ControlMessage.Start.class, s -> s.channel() == 3);
        hostile.await(ControlMessage.Start.class, s -> s.channel() == 7);
        assertEquals(2, pair.a.borrowing().size());
        // The owner stops the pictures only: the sound ends with them on this host.
        hostile.send(new ControlMessage.Stop(3, ControlMessage.Stop.DEVICE_GONE, ControlMessage.Stop.SENDER_LENDS));
        long[] e1 = pair.ha.borrowsEnded.poll(5, TimeUnit.SECONDS);
        long[] e2 = pair.ha.borrowsEnded.poll(5, TimeUnit.SECONDS);
        assertNotNull(e2);
        assertEquals(Set.of(3L, 7L), Set.of(e1[0], e2[0]));
        assertEquals(ControlMessage.Stop.DEVICE_GONE, e2[1]);
        assertTrue(pair.a.borrowing().isEmpty());
        assertTrue(hostile.received.stream().noneMatch(m -> m instanceof ControlMessage.ErrorReport r
                && r.error() == ProtocolError.MALFORMED), "an honest group draws no complaint");
    }

    // ---- random play: whatever a peer says, no half of a capture card runs alone ------------------------------------

    /** Waits until A has handled everything B sent before: A answers a heartbeat after all of it. */
    private void settle(long sequence) throws Exception {
        hostile.send(new ControlMessage.Heartbeat(sequence, System.nanoTime()));
        hostile.await(ControlMessage.HeartbeatAck.class, h -> h.sequence() == sequence, Duration.ofSeconds(10));
    }

    @Test
    void shouldNeverBorrowHalfACardWhateverTheOwnerSends() throws Exception {
        long[] unused = new long[1];
        borrowFromHostileOwner(unused);
        List<Throwable> escaped = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(e));
        java.util.Random r = new java.util.Random(32);
        List<Long> asked = new ArrayList<>(List.of(unused[0]));
        try {
            for (int round = 0; round < 150; round++) {
                if (r.nextInt(3) == 0) {
                    pair.a.borrow("card0", "");
                    asked.add(hostile.await(ControlMessage.BorrowRequest.class, q -> true).requestId());
                }
                List<ControlMessage> batch = new ArrayList<>();
                for (int k = 0; k < 6; k++) {
                    int ch = r.nextInt(8);
                    long req = r.nextInt(4) == 0 ? r.nextInt(1000) : asked.get(r.nextInt(asked.size()));
                    switch (r.nextInt(5)) {
                        case 4 -> {
                            // An honest pair now and then, so whole cards form and are then hit by the rest.
                            int other = (ch + 1 + r.nextInt(7)) % 8;
                            batch.add(new ControlMessage.Caps(ch, req, 1, VIDEO, other));
                            batch.add(new ControlMessage.Caps(other, req, 1, AUDIO, ch));
                        }
                        case 0, 1 -> {
                            int partner = r.nextInt(5) == 0 ? ControlMessage.Caps.NO_PARTNER : (ch + 1 + r.nextInt(7)) % 8;
                            batch.add(new ControlMessage.Caps(ch, req, 1, r.nextBoolean() ? VIDEO : AUDIO, partner));
                        }
                        case 2 -> batch.add(new ControlMessage.Stop(ch, ControlMessage.Stop.REVOKED,
                                r.nextBoolean() ? ControlMessage.Stop.SENDER_LENDS : ControlMessage.Stop.SENDER_BORROWS));
                        default -> batch.add(new ControlMessage.Consent(req, ControlMessage.Consent.ALLOW_ONCE));
                    }
                }
                hostile.send(batch.toArray(new ControlMessage[0]));
                settle(1000 + round);
                for (Borrow b : pair.a.borrowing()) {
                    if (b.grouped()) {
                        Borrow other = pair.a.borrowing().stream().filter(x -> x.channel() == b.partner()).findFirst()
                                .orElse(null);
                        assertNotNull(other, "round " + round + ": " + b + " borrowed without its other half, "
                                + pair.a.borrowing());
                        assertEquals(b.channel(), other.partner(), "round " + round);
                        assertTrue(b.isAudio() != other.isAudio(), "round " + round + ": one of each kind");
                    }
                }
                assertEquals(PeerSession.State.READY, pair.a.state(), "round " + round + ": " + pair.a.end());
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertTrue(escaped.isEmpty(), "exceptions escaped session threads: " + escaped);
        assertTrue(pair.ha.borrowsStarted.stream().anyMatch(Borrow::grouped),
                "the random play also formed whole cards (else it proved little): " + pair.ha.borrowsStarted);
    }

    @Test
    void shouldNeverLendHalfACardWhateverTheBorrowerSends() throws Exception {
        withHostileBorrower(PeerSession.PROTOCOL_MINOR);
        java.util.Random r = new java.util.Random(33);
        int wholeCardsSeen = 0;
        for (int round = 0; round < 150; round++) {
            List<ControlMessage> batch = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                int ch = r.nextInt(6);
                switch (r.nextInt(5)) {
                    case 0 -> batch.add(new ControlMessage.BorrowRequest(round * 10L + k, r.nextBoolean() ? "card0"
                            : "cam0", ""));
                    case 1, 2 -> batch.add(new ControlMessage.Start(ch));
                    case 3 -> batch.add(new ControlMessage.Stop(ch, ControlMessage.Stop.RETURNED,
                            r.nextBoolean() ? ControlMessage.Stop.SENDER_LENDS : ControlMessage.Stop.SENDER_BORROWS));
                    default -> batch.add(new ControlMessage.Pause(ch, r.nextBoolean()));
                }
            }
            hostile.send(batch.toArray(new ControlMessage[0]));
            settle(2000 + round);
            long halves = pair.a.lending().values().stream().filter("card0"::equals).count();
            wholeCardsSeen += halves == 2 ? 1 : 0;
            assertTrue(halves == 0 || halves == 2, "round " + round + ": the card is lent as " + halves
                    + " channels: " + pair.a.lending());
            assertEquals(PeerSession.State.READY, pair.a.state(), "round " + round + ": " + pair.a.end());
        }
        // Starts reached the owner's app only for whole cards: every started card channel's other half started too.
        java.util.Set<Integer> started = new java.util.HashSet<>(pair.ha.lendsStarted);
        java.util.Map<Integer, String> lent = pair.a.lending();
        long startedHalves = lent.entrySet().stream().filter(e -> e.getValue().equals("card0")
                && started.contains(e.getKey())).count();
        assertTrue(startedHalves == 0 || startedHalves == 2, "started halves now: " + startedHalves);
        assertTrue(wholeCardsSeen > 0, "the random play also lent whole cards");
        assertTrue(pair.ha.groupsPrepared.get() > 0);
    }
}
