package org.hopwire.engine.fabric;

import static org.hopwire.engine.testbed.Transfers.await;
import static org.hopwire.engine.testbed.Transfers.inBackground;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.pairing.PairingTimeoutException;
import org.hopwire.engine.pairing.StreamPairing;
import org.hopwire.engine.testbed.FabricTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Fabric} must show, as {@code shared/usb4stream-kernel-interface.md} describes the
 * driver. Run against the emulated fabric, the kernel adapter over a fake tree, and (tagged) real hardware.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class FabricConformanceTest {
    private static final Duration SOON = Duration.ofSeconds(5);
    private static final StreamPairing.Options PAIRING = StreamPairing.Options.DEFAULT.withTimeout(Duration.ofSeconds(10));

    protected FabricTestbed bed;
    protected Fabric a;
    protected Fabric b;

    protected abstract FabricTestbed createTestbed() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        bed = createTestbed();
        a = bed.a();
        b = bed.b();
    }

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private void needBothHosts() {
        assumeTrue(b != null, "needs the peer host's fabric in this process");
    }

    private void needCable() {
        needBothHosts();
        assumeTrue(bed.controlsCable(), "needs a cable the test can pull");
    }

    /** Pairs the named streams from both sides at once and returns {A's, B's}. */
    private PairedStreams[] pair(StreamPairing.Options options, String... names) throws Exception {
        PeerHost bOnA = onlyPeer(a);
        PeerHost aOnB = onlyPeer(b);
        Future<PairedStreams> fa = inBackground(() -> StreamPairing.pair(a, bOnA, List.of(names), options));
        Future<PairedStreams> fb = inBackground(() -> StreamPairing.pair(b, aOnB, List.of(names), options));
        return new PairedStreams[] {fa.get(20, TimeUnit.SECONDS), fb.get(20, TimeUnit.SECONDS)};
    }

    private PairedStreams[] pair(String... names) throws Exception {
        return pair(PAIRING, names);
    }

    private static PeerHost onlyPeer(Fabric f) throws Exception {
        await(() -> {
            try {
                return !f.peers().isEmpty();
            } catch (FabricException e) {
                return false;
            }
        }, SOON, "a peer on " + f.kind() + " fabric");
        List<PeerHost> peers = f.peers();
        assertEquals(1, peers.size(), "peers: " + peers);
        return peers.get(0);
    }

    private static StreamAddress address(PairedStreams p, String name) {
        return p.stream(name).address();
    }

    private static void assertCrossed(StreamInfo x, StreamInfo y) {
        assertTrue(x.hasHopIds() && y.hasHopIds(), x + " / " + y);
        assertEquals(x.inHopId(), y.outHopId(), "in of one is out of the other");
        assertEquals(x.outHopId(), y.inHopId(), "out of one is in of the other");
    }

    // ---- seeing the world ----------------------------------------------------------------------------------------

    @Test
    void shouldSeeThePeerWithItsUuidNameAndLinkSpeed() throws Exception {
        PeerHost peer = onlyPeer(a);
        assertTrue(peer.streamService().isPresent(), "offers USB4STREAM");
        assertEquals(bed.serviceOnA(), peer.streamService().get().name());
        assertEquals(bed.nameOfB(), peer.deviceName());
        assertTrue(peer.rxGbps() > 0 && peer.txGbps() > 0, "link speed " + peer);
        if (b != null) {
            assertEquals(b.localHostUuid(), peer.uuid());
            assertEquals(a.localHostUuid(), onlyPeer(b).uuid());
        }
    }

    // ---- configuring streams ---------------------------------------------------------------------------------------

    @Test
    void shouldRejectNamesLongerThanEightCharactersAndLeaveNothingBehind() throws Exception {
        List<String> groupsBefore = bed.groupsOnA();
        NameTooLongException e = assertThrows(NameTooLongException.class,
                () -> a.createStream(bed.serviceOnA(), StreamSpec.automatic("ninechars")));
        assertTrue(e.getMessage().contains("at most 8"), e.getMessage());
        assertEquals(Errno.ENAMETOOLONG, e.errno());
        assertTrue(a.streams().isEmpty(), "no stream left: " + a.streams());
        assertEquals(groupsBefore, bed.groupsOnA(), "no service group left");
        StreamInfo eight = a.createStream(bed.serviceOnA(), StreamSpec.automatic("eight_ch"));
        assertEquals("eight_ch", eight.address().name());
    }

    @Test
    void shouldRejectMalformedServiceNames() throws Exception {
        List<String> groupsBefore = bed.groupsOnA();
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> a.createStream("laptop", StreamSpec.automatic("ctl")));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("0-1.0"), "says what a service name looks like: " + e.getMessage());
        assertEquals(groupsBefore, bed.groupsOnA());
    }

    @Test
    void shouldRejectRingSizeAndThrottlingOutOfRange() throws Exception {
        String s = bed.serviceOnA();
        assertThrows(InvalidArgumentException.class, () -> a.createStream(s, StreamSpec.automatic("r").withRingSize(31)));
        assertThrows(InvalidArgumentException.class,
                () -> a.createStream(s, StreamSpec.automatic("r").withRingSize(4097)));
        assertThrows(InvalidArgumentException.class,
                () -> a.createStream(s, StreamSpec.automatic("r").withThrottlingNs(16_776_961)));
        assertTrue(a.streams().isEmpty(), "nothing left behind: " + a.streams());
        StreamInfo ok = a.createStream(s, StreamSpec.automatic("r").withRingSize(4096).withThrottlingNs(0));
        assertEquals(4096, ok.ringSize());
        assertEquals(0, ok.throttlingNs());
    }

    @Test
    void shouldAllocateAutomaticHopIdsFromEight() throws Exception {
        StreamInfo one = a.createStream(bed.serviceOnA(), StreamSpec.automatic("one"));
        StreamInfo two = a.createStream(bed.serviceOnA(), StreamSpec.automatic("two"));
        for (StreamInfo s : List.of(one, two)) {
            assertTrue(s.inHopId() >= Usb4Stream.MIN_HOPID && s.outHopId() >= Usb4Stream.MIN_HOPID, s.toString());
        }
        assertTrue(one.inHopId() != two.inHopId() && one.outHopId() != two.outHopId(), one + " / " + two);
        assertTrue(one.index() != two.index(), "each stream has its own device");
    }

    @Test
    void shouldReportATakenHopIdAsBusyAndLeaveNothingBehind() throws Exception {
        a.createStream(bed.serviceOnA(), StreamSpec.manual("one", 9, 9));
        HopIdBusyException e = assertThrows(HopIdBusyException.class,
                () -> a.createStream(bed.serviceOnA(), StreamSpec.manual("two", 9, 10)));
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage().contains("HopID 9"), e.getMessage());
        assertEquals(List.of("one"), a.streams().stream().map(s -> s.address().name()).toList());
    }

    @Test
    void shouldReleaseHopIdsWhenZeroIsWritten() throws Exception {
        StreamInfo s = a.createStream(bed.serviceOnA(), StreamSpec.manual("rel", 9, 9));
        StreamInfo released = a.setHopIds(s.address(), 0, 0);
        assertEquals(0, released.inHopId());
        assertEquals(0, released.outHopId());
        StreamInfo other = a.createStream(bed.serviceOnA(), StreamSpec.manual("oth", 9, 9));
        assertEquals(9, other.inHopId(), "HopID 9 is free again");
    }

    @Test
    void shouldFailOpenAtOnceWhileAHopIdIsUnset() throws Exception {
        StreamInfo s = a.createStream(bed.serviceOnA(), StreamSpec.inherited("lonely"));
        assertEquals(0, s.inHopId(), "nothing announced this name, so nothing was inherited");
        HopIdUnsetException e = assertThrows(HopIdUnsetException.class,
                () -> a.open(s.address(), Duration.ofSeconds(10)));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void shouldCrossTheAnnouncedHopIdsWhenTheFollowerCreatesTheSameName() throws Exception {
        needBothHosts();
        StreamInfo leader = a.createStream(bed.serviceOnA(), StreamSpec.automatic("cross"));
        StreamAddress onB = new StreamAddress(bed.serviceOnB(), "cross");
        long deadline = System.nanoTime() + SOON.toNanos();
        StreamInfo follower;
        while (true) {
            follower = b.createStream(onB.service(), StreamSpec.inherited("cross"));
            if (follower.hasHopIds() || System.nanoTime() > deadline) {
                break;
            }
            b.removeStream(onB);
            Thread.sleep(10);
        }
        assertCrossed(leader, follower);
    }

    @Test
    void shouldRefuseAttributeWritesWhileTheDeviceIsOpen() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("busy");
        StreamAddress s = address(p[0], "busy");
        try (StreamChannel ch = a.open(s, SOON)) {
            assertTrue(a.stream(s).orElseThrow().open());
            StreamInUseException e = assertThrows(StreamInUseException.class, () -> a.setRingSize(s, 512));
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().contains("while its device is open"), e.getMessage());
            assertThrows(StreamInUseException.class, () -> a.setThrottling(s, 0));
            assertThrows(StreamInUseException.class, () -> a.setHopIds(s, -1, -1));
        }
        assertEquals(512, a.setRingSize(s, 512).ringSize(), "allowed again once closed");
    }

    // ---- pairing -------------------------------------------------------------------------------------------------

    private void pairWithOneSideFirst(boolean leaderFirst) throws Exception {
        needBothHosts();
        boolean aLeads = StreamPairing.leads(a.localHostUuid(), b.localHostUuid());
        Fabric first = aLeads == leaderFirst ? a : b;
        Fabric second = first == a ? b : a;
        PeerHost peerOfFirst = onlyPeer(first);
        PeerHost peerOfSecond = onlyPeer(second);
        List<String> names = List.of("ctl", "data");
        Future<PairedStreams> f1 = inBackground(() -> StreamPairing.pair(first, peerOfFirst, names, PAIRING));
        Thread.sleep(300);
        Future<PairedStreams> f2 = inBackground(() -> StreamPairing.pair(second, peerOfSecond, names, PAIRING));
        PairedStreams p1 = f1.get(20, TimeUnit.SECONDS);
        PairedStreams p2 = f2.get(20, TimeUnit.SECONDS);
        assertTrue(p1.leader() == leaderFirst && p2.leader() != leaderFirst);
        for (String name : names) {
            assertCrossed(p1.stream(name), p2.stream(name));
        }
        // And the paired streams carry data both ways.
        try (StreamChannel c1 = first.open(p1.stream("data").address(), SOON);
             StreamChannel c2 = second.open(p2.stream("data").address(), SOON)) {
            c1.writeFully(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), Transfers.readExactly(c2, 4));
            c2.writeFully(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals("pong".getBytes(StandardCharsets.US_ASCII), Transfers.readExactly(c1, 4));
        }
        p1.close();
        p2.close();
        assertTrue(first.streams().isEmpty() && second.streams().isEmpty(), "pairing cleans up on close");
    }

    @Test
    void shouldPairWhenTheLeaderStartsFirst() throws Exception {
        pairWithOneSideFirst(true);
    }

    @Test
    void shouldPairWhenTheFollowerStartsFirst() throws Exception {
        pairWithOneSideFirst(false);
    }

    @Test
    void shouldGiveUpFollowingCleanlyWhenTheLeaderNeverAnnounces() throws Exception {
        needBothHosts();
        boolean aLeads = StreamPairing.leads(a.localHostUuid(), b.localHostUuid());
        Fabric follower = aLeads ? b : a;
        PeerHost leader = onlyPeer(follower);
        PairingTimeoutException e = assertThrows(PairingTimeoutException.class, () -> StreamPairing.pair(follower,
                leader, List.of("ctl", "data"), PAIRING.withTimeout(Duration.ofMillis(300))));
        assertTrue(e.getMessage().contains("is Hopwire running there"), e.getMessage());
        assertTrue(follower.streams().isEmpty(), "no directory left behind: " + follower.streams());
    }

    // ---- the character device --------------------------------------------------------------------------------------

    @Test
    void shouldReturnEofAfterThePeerClosesAndTheDataBeforeIt() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("eof");
        StreamChannel reader = b.open(address(p[1], "eof"), SOON);
        try (StreamChannel writer = a.open(address(p[0], "eof"), SOON)) {
            writer.writeFully(ByteBuffer.wrap("last words".getBytes(StandardCharsets.US_ASCII)));
        }
        assertArrayEquals("last words".getBytes(StandardCharsets.US_ASCII), Transfers.readExactly(reader, 10));
        assertEquals(-1, reader.read(ByteBuffer.allocate(16)));
        assertEquals(-1, reader.read(ByteBuffer.allocate(16)), "EOF stays until the peer opens again");
        reader.close();
    }

    @Test
    void shouldAcceptWritesAfterThePeerClosedWhileTheRingHasRoom() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("gone");
        try (StreamChannel writer = a.open(address(p[0], "gone"), SOON)) {
            b.open(address(p[1], "gone"), SOON).close();
            Thread.sleep(100);
            for (int i = 0; i < 8; i++) {
                // The driver takes these while the TX ring has room, and they go nowhere: no error tells the writer.
                assertEquals(16, writer.write(ByteBuffer.allocate(16)));
            }
        }
    }

    @Test
    void shouldBlockAWriterWhoseReaderIsGoneUntilItReadsThePeersClose() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("blk");
        StreamChannel writer = a.open(address(p[0], "blk"), SOON);
        b.open(address(p[1], "blk"), SOON).close();
        AtomicLong written = new AtomicLong();
        Future<Void> writing = writeInBackground(writer, written, Long.MAX_VALUE);
        await(() -> written.get() > 0, SOON, "writes after the peer's close to be taken");
        long stalled = awaitStall(written);
        assertFalse(writing.isDone(), "a writer that does not read learns nothing of the close: it waits");
        assertTrue(stalled > 0);
        // Reading the peer's CLOSE here is what lets the waiting writer fail.
        assertEquals(-1, writer.read(ByteBuffer.allocate(16)), "the peer's CLOSE reads as end of file");
        ExecutionException e = assertThrows(ExecutionException.class, () -> writing.get(5, TimeUnit.SECONDS));
        assertInstanceOf(LinkDownException.class, e.getCause());
        assertEquals(Errno.ENXIO, ((FabricException) e.getCause()).errno());
        writer.close();
    }

    /** Waits until a counter stops moving for 300 ms and returns where it stopped. */
    private static long awaitStall(AtomicLong counter) throws Exception {
        long deadline = System.nanoTime() + SOON.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = counter.get();
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(300);
        }
        throw new TimeoutException("still moving after " + SOON + ": " + counter.get());
    }

    /** Pairs {@code name} with 32-frame rings on both hosts and opens it: {reader on B, writer on A}. */
    private StreamChannel[] smallRings(String name) throws Exception {
        PairedStreams[] p = pair(name);
        a.setRingSize(address(p[0], name), 32);
        b.setRingSize(address(p[1], name), 32);
        return new StreamChannel[] {b.open(address(p[1], name), SOON), a.open(address(p[0], name), SOON)};
    }

    /** Writes 64 KiB at a time in the background, counting what is taken, until {@code limit} or a failure. */
    private static Future<Void> writeInBackground(StreamChannel writer, AtomicLong written, long limit) {
        return inBackground(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 << 10);
            while (written.get() < limit) {
                buf.clear();
                written.addAndGet(writer.write(buf));
            }
            return null;
        });
    }

    @Test
    void shouldLoseTheTailWhenTheReaderIsFarBehindAtTheLastClose() throws Exception {
        needBothHosts();
        StreamChannel[] c = smallRings("tail");
        StreamChannel reader = c[0];
        StreamChannel writer = c[1];
        // More than the reader's RX ring holds, less than both rings: all taken, some still in the TX ring.
        int sent = 48 * Usb4Stream.MAX_PACKET_BYTES;
        assertEquals(sent, writeAll(writer, sent));
        long start = System.nanoTime();
        writer.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(closeMs >= 300, "the last close waited for the reader before cancelling: " + closeMs + " ms");
        ReadResult got = readUntilQuiet(reader, Duration.ofSeconds(1));
        assertTrue(got.bytes > 0 && got.bytes < sent, "the RX ring's part arrived, the tail did not: " + got.bytes);
        assertFalse(got.eof, "the CLOSE behind the tail was cancelled too: no end of file");
        reader.close();
    }

    @Test
    void shouldSendNoCloseWhenTheTxRingIsFullAtTheLastClose() throws Exception {
        needBothHosts();
        StreamChannel[] c = smallRings("full");
        StreamChannel reader = c[0];
        StreamChannel writer = c[1];
        AtomicLong written = new AtomicLong();
        Future<Void> writing = writeInBackground(writer, written, Long.MAX_VALUE);
        long stalled = awaitStall(written);
        writer.close();
        assertThrows(ExecutionException.class, () -> writing.get(5, TimeUnit.SECONDS));
        ReadResult got = readUntilQuiet(reader, Duration.ofSeconds(1));
        assertTrue(got.bytes < stalled, "what was still in the full TX ring was cancelled: " + got.bytes + " of "
                + stalled);
        assertFalse(got.eof, "no CLOSE was sent: the reader sees no end of file");
        reader.close();
    }

    @Test
    void shouldTellAWriterWhenTheRingHasRoomSoItsCloseReachesThePeer() throws Exception {
        needBothHosts();
        StreamChannel[] c = smallRings("room");
        StreamChannel reader = c[0];
        StreamChannel writer = c[1];
        assertTrue(writer.awaitWritable(Duration.ZERO), "an empty ring has room");
        AtomicLong written = new AtomicLong();
        Future<Void> writing = writeInBackground(writer, written, 1 << 20);
        long stalled = awaitStall(written);
        assertFalse(writer.awaitWritable(Duration.ofMillis(200)), "full while nobody reads");
        ReadResult[] got = new ReadResult[1];
        Future<Void> reading = inBackground(() -> {
            got[0] = readUntilQuiet(reader, Duration.ofSeconds(3));
            return null;
        });
        writing.get(10, TimeUnit.SECONDS);
        assertTrue(writer.awaitWritable(Duration.ofSeconds(5)), "room once the reader reads");
        writer.close();
        reading.get(20, TimeUnit.SECONDS);
        assertTrue(got[0].eof(), "the CLOSE was sent: the reader sees end of file after " + got[0].bytes());
        assertEquals(written.get(), got[0].bytes(), "and everything before it (stalled at " + stalled + ")");
        reader.close();
    }

    private static int writeAll(StreamChannel c, int bytes) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        c.writeFully(buf);
        return bytes;
    }

    private record ReadResult(long bytes, boolean eof) {
    }

    /** Reads in the background until end of file, or until nothing came for {@code quiet}. */
    private static ReadResult readUntilQuiet(StreamChannel reader, Duration quiet) throws Exception {
        AtomicLong got = new AtomicLong();
        Future<Boolean> reading = inBackground(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 << 10);
            while (true) {
                buf.clear();
                int n = reader.read(buf);
                if (n < 0) {
                    return true;
                }
                got.addAndGet(n);
            }
        });
        long last = -1;
        while (!reading.isDone() && got.get() != last) {
            last = got.get();
            Thread.sleep(quiet.toMillis());
        }
        if (reading.isDone()) {
            return new ReadResult(got.get(), reading.get());
        }
        reading.cancel(true);
        return new ReadResult(got.get(), false);
    }

    @Test
    void shouldDrainThenEndReadsOfAStreamRemovedWhileOpen() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("rmo");
        StreamAddress onB = address(p[1], "rmo");
        StreamChannel reader = b.open(onB, SOON);
        StreamChannel writer = a.open(address(p[0], "rmo"), SOON);
        int index = b.stream(onB).orElseThrow().index();
        writer.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Thread.sleep(100);
        bed.rmdirOnB(onB);
        assertArrayEquals(new byte[] {1, 2, 3}, Transfers.readExactly(reader, 3), "what arrived is still read");
        assertEquals(-1, reader.read(ByteBuffer.allocate(8)), "then the removed stream ends");
        // The device keeps its index until the last close: a new stream of that name gets another.
        StreamInfo again = b.createStream(onB.service(), StreamSpec.automatic("rmo"));
        assertTrue(again.index() != index, "index " + index + " is still held by the open device");
        bed.rmdirOnB(again.address()); // not removeStream: that would close this fabric's channels on the address

        // The peer hears CLOSE only at the last close.
        Future<Integer> peerRead = inBackground(() -> writer.read(ByteBuffer.allocate(8)));
        Thread.sleep(200);
        assertFalse(peerRead.isDone(), "no CLOSE while the removed device is still open");
        reader.close();
        assertEquals(-1, peerRead.get(5, TimeUnit.SECONDS).intValue(), "CLOSE at the last close");
        writer.close();
    }

    @Test
    void shouldWriteShortAndThenBlockWhileTheReaderDoesNotRead() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair(PAIRING, "short");
        StreamAddress sa = address(p[0], "short");
        a.setRingSize(sa, 32);
        b.setRingSize(address(p[1], "short"), 32);
        try (StreamChannel writer = a.open(sa, SOON); StreamChannel reader = b.open(address(p[1], "short"), SOON)) {
            int asked = 1 << 20;
            int first = writer.write(ByteBuffer.allocate(asked));
            assertTrue(first > 0 && first < asked, "a 1 MiB write into a 32-frame ring is short: " + first);
            // Keep writing: flow control must stop the writer while nobody reads.
            AtomicLong written = new AtomicLong(first);
            Future<Void> more = inBackground(() -> {
                ByteBuffer buf = ByteBuffer.allocate(asked);
                while (true) {
                    buf.clear();
                    written.addAndGet(writer.write(buf));
                }
            });
            Thread.sleep(300);
            long stalledAt = written.get();
            Thread.sleep(200);
            assertEquals(stalledAt, written.get(), "the writer is blocked on a full ring");
            assertFalse(more.isDone());
            assertTrue(stalledAt < 64L << 20, "a slow reader bounds what is in flight: " + stalledAt);
            // Reading frees the ring, and the writer goes on.
            Transfers.receive(reader, stalledAt);
            await(() -> written.get() > stalledAt, SOON, "the writer to go on after the reader read");
            more.cancel(true);
        }
    }

    @Test
    void shouldWakeABlockedReadWhenItsOwnChannelCloses() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("wake");
        StreamChannel reader = b.open(address(p[1], "wake"), SOON);
        Future<Integer> read = inBackground(() -> reader.read(ByteBuffer.allocate(16)));
        Thread.sleep(100);
        assertFalse(read.isDone(), "nothing to read yet");
        reader.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
    }

    @Test
    void shouldFailABlockedReaderWithLinkDownWhenTheCableIsUnplugged() throws Exception {
        needCable();
        PairedStreams[] p = pair("unplug");
        StreamChannel reader = b.open(address(p[1], "unplug"), SOON);
        Future<Integer> read = inBackground(() -> reader.read(ByteBuffer.allocate(16)));
        Thread.sleep(100);
        assertFalse(read.isDone());
        bed.unplug();
        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
        assertInstanceOf(LinkDownException.class, e.getCause());
        assertEquals(Errno.ENXIO, ((FabricException) e.getCause()).errno());
        assertThrows(LinkDownException.class, () -> reader.read(ByteBuffer.allocate(16)), "and later reads too");
        await(() -> Transfers.peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
        reader.close();
    }

    @Test
    void shouldFailAWriterMidWriteWhenTheCableIsUnplugged() throws Exception {
        needCable();
        PairedStreams[] p = pair("midw");
        StreamChannel writer = a.open(address(p[0], "midw"), SOON);
        b.open(address(p[1], "midw"), SOON); // open but never read: the writer fills the ring and blocks
        AtomicLong written = new AtomicLong();
        Future<Void> writing = inBackground(() -> {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (true) {
                buf.clear();
                written.addAndGet(writer.write(buf));
            }
        });
        await(() -> written.get() > 0, SOON, "some data written");
        Thread.sleep(100);
        bed.unplug();
        ExecutionException e = assertThrows(ExecutionException.class, () -> writing.get(5, TimeUnit.SECONDS));
        assertInstanceOf(LinkDownException.class, e.getCause());
        assertThrows(LinkDownException.class, () -> writer.write(ByteBuffer.allocate(1)));
        writer.close();
    }

    @Test
    void shouldCarryDataAgainAfterReplugAndReopen() throws Exception {
        needCable();
        PairedStreams[] p = pair("replug");
        StreamAddress sa = address(p[0], "replug");
        StreamAddress sb = address(p[1], "replug");
        StreamChannel oldA = a.open(sa, SOON);
        StreamChannel oldB = b.open(sb, SOON);
        bed.unplug();
        assertThrows(LinkDownException.class, () -> oldA.write(ByteBuffer.allocate(8)));
        oldA.close();
        oldB.close();
        bed.plug();
        try (StreamChannel ca = a.open(sa, SOON); StreamChannel cb = b.open(sb, SOON)) {
            Future<Long> got = inBackground(() -> Transfers.receive(cb, 8L << 20));
            long sent = Transfers.send(ca, 8L << 20, 42, 1 << 20);
            assertEquals(sent, got.get(20, TimeUnit.SECONDS).longValue());
        }
    }

    @Test
    void shouldWaitInOpenUntilThePeerIsOnTheCable() throws Exception {
        needCable();
        PairedStreams[] p = pair("late");
        StreamAddress sa = address(p[0], "late");
        bed.unplug();
        await(() -> Transfers.peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
        PeerNotConnectedException e = assertThrows(PeerNotConnectedException.class,
                () -> a.open(sa, Duration.ZERO), "a non-blocking open fails at once");
        assertEquals(Errno.ENXIO, e.errno());
        Future<StreamChannel> opening = inBackground(() -> a.open(sa, Duration.ofSeconds(20)));
        Thread.sleep(200);
        assertFalse(opening.isDone(), "open waits while nobody is on the cable");
        bed.plug();
        opening.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void shouldFailAWaitingOpenWhenItsStreamIsRemoved() throws Exception {
        needCable();
        StreamInfo s = a.createStream(bed.serviceOnA(), StreamSpec.automatic("rm"));
        bed.unplug();
        await(() -> Transfers.peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
        Future<StreamChannel> opening = inBackground(() -> a.open(s.address(), Duration.ofSeconds(20)));
        Thread.sleep(100);
        a.removeStream(s.address());
        ExecutionException e = assertThrows(ExecutionException.class, () -> opening.get(5, TimeUnit.SECONDS));
        assertEquals(Errno.ENXIO, ((FabricException) e.getCause()).errno(), e.getCause().toString());
    }

    @Test
    void shouldAttachStreamsMadeBeforeThePeerConnects() throws Exception {
        needCable();
        bed.unplug();
        await(() -> Transfers.peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
        StreamInfo sa = a.createStream(bed.serviceOnA(), StreamSpec.manual("early", 12, 13));
        StreamInfo sb = b.createStream(bed.serviceOnB(), StreamSpec.manual("early", 13, 12));
        assertFalse(a.stream(sa.address()).orElseThrow().attached());
        bed.plug();
        await(() -> streamAttached(a, sa.address()), SOON, "the group to attach when the peer appears");
        try (StreamChannel ca = a.open(sa.address(), SOON); StreamChannel cb = b.open(sb.address(), SOON)) {
            ca.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertArrayEquals(new byte[] {1, 2, 3}, Transfers.readExactly(cb, 3));
        }
    }

    @Test
    void shouldCarryTwoStreamsInBothDirectionsAtOnce() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("one", "two");
        long bytes = 64L << 20;
        try (StreamChannel a1 = a.open(address(p[0], "one"), SOON); StreamChannel a2 = a.open(address(p[0], "two"), SOON);
             StreamChannel b1 = b.open(address(p[1], "one"), SOON); StreamChannel b2 = b.open(address(p[1], "two"), SOON)) {
            List<Future<Long>> receivers = List.of(inBackground(() -> Transfers.receive(b1, bytes)),
                    inBackground(() -> Transfers.receive(a1, bytes)), inBackground(() -> Transfers.receive(b2, bytes)),
                    inBackground(() -> Transfers.receive(a2, bytes)));
            List<Future<Long>> senders = List.of(inBackground(() -> Transfers.send(a1, bytes, 1, 256 << 10)),
                    inBackground(() -> Transfers.send(b1, bytes, 2, 64 << 10)),
                    inBackground(() -> Transfers.send(a2, bytes, 3, 1 << 20)),
                    inBackground(() -> Transfers.send(b2, bytes, 4, 4096)));
            for (int i = 0; i < 4; i++) {
                assertEquals(senders.get(i).get(40, TimeUnit.SECONDS), receivers.get(i).get(40, TimeUnit.SECONDS),
                        "transfer " + i + " arrived intact");
            }
        }
    }

    @Test
    void shouldCarryOneGibibyteIntact() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("big");
        long bytes = 1L << 30;
        try (StreamChannel writer = a.open(address(p[0], "big"), SOON);
             StreamChannel reader = b.open(address(p[1], "big"), SOON)) {
            Future<Long> got = inBackground(() -> Transfers.receive(reader, bytes));
            long sent = Transfers.send(writer, bytes, 7, 1 << 20);
            assertEquals(sent, got.get(50, TimeUnit.SECONDS).longValue(), "CRC32C of 1 GiB");
        }
    }

    // ---- announcements and the HopID lifecycle ---------------------------------------------------------------------

    /** Creates {@code name} on B, inheriting, until the announcement has arrived; returns it. */
    private StreamInfo followOnB(String name) throws Exception {
        StreamAddress onB = new StreamAddress(bed.serviceOnB(), name);
        long deadline = System.nanoTime() + SOON.toNanos();
        while (true) {
            StreamInfo s = b.createStream(onB.service(), StreamSpec.inherited(name));
            if (s.hasHopIds() || System.nanoTime() > deadline) {
                return s;
            }
            b.removeStream(onB);
            Thread.sleep(20);
        }
    }

    @Test
    void shouldKeepAnnouncingAStreamRemovedWithRmdirAlone() throws Exception {
        needBothHosts();
        // A filler makes the first stream's HopIDs other than the lowest, so a new allocation differs.
        StreamInfo filler = a.createStream(bed.serviceOnA(), StreamSpec.automatic("fill"));
        StreamInfo old = a.createStream(bed.serviceOnA(), StreamSpec.automatic("stale"));
        StreamInfo inherited = followOnB("stale");
        assertCrossed(old, inherited);
        b.removeStream(inherited.address());
        bed.rmdirOnA(old.address());
        a.removeStream(filler.address());
        Thread.sleep(bed.announcementTime().toMillis());
        // rmdir withdrew nothing: B still inherits the HopIDs of a stream A no longer has.
        StreamInfo ghost = b.createStream(bed.serviceOnB(), StreamSpec.inherited("stale"));
        assertTrue(ghost.hasHopIds(), "inherited from the stale announcement: " + ghost);
        assertCrossed(old, ghost);
        // A makes the name again with a fresh allocation: B's stream points where nothing listens.
        StreamInfo fresh = a.createStream(bed.serviceOnA(), StreamSpec.automatic("stale"));
        assertTrue(fresh.inHopId() != old.inHopId() || fresh.outHopId() != old.outHopId(), fresh + " / " + old);
        assertFalse(ghost.inHopId() == fresh.outHopId() && ghost.outHopId() == fresh.inHopId(),
                "the stale pair does not match A's new stream");
    }

    @Test
    void shouldWithdrawTheAnnouncementWhenZeroIsWritten() throws Exception {
        needBothHosts();
        StreamInfo led = a.createStream(bed.serviceOnA(), StreamSpec.automatic("wd"));
        StreamInfo followed = followOnB("wd");
        assertCrossed(led, followed);
        b.removeStream(followed.address());
        a.removeStream(led.address()); // writes 0 to both HopIDs, then rmdir
        Thread.sleep(bed.announcementTime().toMillis());
        StreamInfo after = b.createStream(bed.serviceOnB(), StreamSpec.inherited("wd"));
        assertEquals(0, after.inHopId(), "nothing left to inherit: " + after);
        assertEquals(0, after.outHopId());
    }

    @Test
    void shouldStoreHopIdsUncheckedBeforeAttachAndApplyThemAtAttach() throws Exception {
        needCable();
        bed.unplug();
        await(() -> Transfers.peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
        StreamInfo auto = a.createStream(bed.serviceOnA(), StreamSpec.automatic("pre"));
        assertEquals(-1, auto.inHopId(), "-1 reads back as written before the peer is there");
        assertEquals(-1, auto.outHopId());
        StreamInfo wild = a.createStream(bed.serviceOnA(), StreamSpec.manual("wild", 99, 99));
        assertEquals(99, wild.inHopId(), "no check before attach: " + wild);
        bed.plug();
        await(() -> streamAttached(a, auto.address()) && hasHopIds(a, auto.address()), SOON,
                "the automatic HopIDs to be allocated at attach");
        StreamInfo now = a.stream(auto.address()).orElseThrow();
        assertTrue(now.inHopId() >= Usb4Stream.MIN_HOPID && now.outHopId() >= Usb4Stream.MIN_HOPID, now.toString());
        // Allocation errors at attach are ignored: the attribute shows a HopID the stream did not get.
        await(() -> streamAttached(a, wild.address()), SOON, "the second stream to attach");
        assertEquals(99, a.stream(wild.address()).orElseThrow().inHopId());
        FabricException e = assertThrows(FabricException.class, () -> a.open(wild.address(), SOON).close());
        assertTrue(e.errno() == Errno.EINVAL || e.errno() == Errno.EIO, e.toString());
    }

    @Test
    void shouldReallocateWhenMinusOneIsWrittenAgainAndRefuseTheCurrentValue() throws Exception {
        StreamInfo low = a.createStream(bed.serviceOnA(), StreamSpec.automatic("low"));
        StreamInfo s = a.createStream(bed.serviceOnA(), StreamSpec.automatic("re"));
        a.removeStream(low.address());
        StreamInfo again = a.setHopIds(s.address(), Usb4Stream.HOPID_AUTO, Usb4Stream.HOPID_AUTO);
        assertEquals(low.inHopId(), again.inHopId(), "released and allocated anew: the lowest free");
        assertEquals(low.outHopId(), again.outHopId());
        HopIdBusyException e = assertThrows(HopIdBusyException.class,
                () -> a.setHopIds(s.address(), again.inHopId(), again.outHopId()));
        assertEquals(Errno.EBUSY, e.errno(), "its own current value is taken too");
    }

    @Test
    void shouldLimitOutHopIdsByThePeersMaxHopIdAndSayWhenNoneIsFreeAbove() throws Exception {
        PeerHost peer = onlyPeer(a);
        int limit = peer.outHopIdLimit();
        StreamInfo top = a.createStream(bed.serviceOnA(), new StreamSpec("top", Usb4Stream.HOPID_AUTO, limit,
                Usb4Stream.DEFAULT_RING_SIZE, Usb4Stream.DEFAULT_THROTTLING_NS));
        assertEquals(limit, top.outHopId());
        StreamSpec above = new StreamSpec("above", Usb4Stream.HOPID_AUTO, limit + 1, Usb4Stream.DEFAULT_RING_SIZE,
                Usb4Stream.DEFAULT_THROTTLING_NS);
        assertEquals(Errno.EINVAL, assertThrows(InvalidArgumentException.class,
                () -> a.createStream(bed.serviceOnA(), above)).errno());
        StreamSpec same = new StreamSpec("same", Usb4Stream.HOPID_AUTO, limit, Usb4Stream.DEFAULT_RING_SIZE,
                Usb4Stream.DEFAULT_THROTTLING_NS);
        NoFreeHopIdException e = assertThrows(NoFreeHopIdException.class,
                () -> a.createStream(bed.serviceOnA(), same));
        assertEquals(Errno.ENOSPC, e.errno());
        assertEquals(List.of("top"), a.streams().stream().map(x -> x.address().name()).toList(), "nothing left");
    }

    @Test
    void shouldAcceptALenientGroupNameThatNeverAttaches() throws Exception {
        String service = bed.serviceOnA();
        int dash = service.indexOf('-');
        String lenient = service.substring(0, dash + 1) + "0x" + service.substring(dash + 1);
        StreamInfo s = a.createStream(lenient, StreamSpec.automatic("len"));
        assertFalse(s.attached(), "only a group named exactly as the service attaches: " + s);
        assertEquals(Errno.ENXIO, assertThrows(PeerNotConnectedException.class,
                () -> a.open(s.address(), Duration.ZERO)).errno());
        assertEquals(Errno.EINVAL, assertThrows(InvalidArgumentException.class,
                () -> a.createStream("x" + service, StreamSpec.automatic("bad"))).errno());
    }

    @Test
    void shouldKeepWaitingInOpenWhenTheStreamAttachesWithAHopIdUnset() throws Exception {
        needCable();
        bed.unplug();
        await(() -> Transfers.peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
        StreamInfo s = a.createStream(bed.serviceOnA(), StreamSpec.inherited("half"));
        Future<StreamChannel> opening = inBackground(() -> a.open(s.address(), Duration.ofSeconds(20)));
        Thread.sleep(100);
        bed.plug();
        await(() -> streamAttached(a, s.address()), SOON, "the stream to attach");
        Thread.sleep(300);
        assertFalse(opening.isDone(), "a waiting open does not fail when the stream attaches without HopIDs");
        a.removeStream(s.address());
        ExecutionException e = assertThrows(ExecutionException.class, () -> opening.get(5, TimeUnit.SECONDS));
        assertEquals(Errno.ENXIO, ((FabricException) e.getCause()).errno(), e.getCause().toString());
    }

    @Test
    void shouldNeverRestartTheRingsOfAnFdKeptOpenAcrossUnplugAndReplug() throws Exception {
        needCable();
        PairedStreams[] p = pair("keep");
        StreamAddress sa = address(p[0], "keep");
        StreamAddress sb = address(p[1], "keep");
        StreamChannel kept = a.open(sa, SOON);
        StreamChannel other = b.open(sb, SOON);
        bed.unplug();
        assertThrows(LinkDownException.class, () -> kept.read(ByteBuffer.allocate(8)));
        other.close();
        bed.plug();
        await(() -> streamAttached(a, sa) && streamAttached(b, sb), SOON, "both streams to attach again");
        try (StreamChannel fresh = b.open(sb, SOON); StreamChannel shared = a.open(sa, SOON)) {
            fresh.writeFully(ByteBuffer.wrap(new byte[] {7}));
            Future<Integer> stuck = inBackground(() -> shared.read(ByteBuffer.allocate(8)));
            Thread.sleep(300);
            assertFalse(stuck.isDone(), "an open that shares the dead rings hangs");
            shared.close();
            kept.close();
            // Every fd closed: the next open starts new rings.
            try (StreamChannel reopened = a.open(sa, SOON)) {
                fresh.writeFully(ByteBuffer.wrap(new byte[] {8}));
                byte got = Transfers.readExactly(reopened, 1)[0];
                assertTrue(got == 8 || got == 7, "data flows again: " + got);
            }
        }
    }

    // ---- events and cleanup ---------------------------------------------------------------------------------------

    @Test
    void shouldTellListenersAboutStreamsAndPeers() throws Exception {
        BlockingQueue<FabricEvent> events = new LinkedBlockingQueue<>();
        try (Subscription ignored = a.addListener(events::add)) {
            StreamInfo s = a.createStream(bed.serviceOnA(), StreamSpec.automatic("ev"));
            assertEquals(s.address(), Transfers.nextEvent(events, FabricEvent.StreamCreated.class, SOON).stream().address());
            a.removeStream(s.address());
            assertEquals(s.address(), Transfers.nextEvent(events, FabricEvent.StreamRemoved.class, SOON).stream().address());
            if (bed.controlsCable()) {
                bed.unplug();
                assertEquals(bed.nameOfB(), Transfers.nextEvent(events, FabricEvent.PeerDisconnected.class, SOON).peer().deviceName());
                bed.plug();
                assertEquals(bed.nameOfB(), Transfers.nextEvent(events, FabricEvent.PeerConnected.class, SOON).peer().deviceName());
            }
        }
    }

    @Test
    void shouldRemoveWhatItCreatedWhenClosed() throws Exception {
        List<String> groupsBefore = bed.groupsOnA();
        a.createStream(bed.serviceOnA(), StreamSpec.automatic("c1"));
        StreamInfo c2 = a.createStream(bed.serviceOnA(), StreamSpec.automatic("c2"));
        StreamChannel open = null;
        if (b != null) {
            open = a.open(c2.address(), SOON);
        }
        a.close();
        if (open != null) {
            assertFalse(open.isOpen(), "channels are closed too");
        }
        assertEquals(groupsBefore, bed.groupsOnA(), "streams and the group it made are gone");
    }

    private static boolean hasHopIds(Fabric f, StreamAddress address) {
        try {
            return f.stream(address).map(StreamInfo::hasHopIds).orElse(false);
        } catch (FabricException e) {
            return false;
        }
    }

    private static boolean streamAttached(Fabric f, StreamAddress address) {
        try {
            return f.stream(address).map(StreamInfo::attached).orElse(false);
        } catch (FabricException e) {
            return false;
        }
    }
}
