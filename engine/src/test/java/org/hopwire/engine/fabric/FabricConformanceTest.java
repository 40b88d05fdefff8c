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
    void shouldFailWritesOnceThePeerHasClosed() throws Exception {
        needBothHosts();
        PairedStreams[] p = pair("gone");
        StreamChannel writer = a.open(address(p[0], "gone"), SOON);
        b.open(address(p[1], "gone"), SOON).close();
        long deadline = System.nanoTime() + SOON.toNanos();
        LinkDownException e = null;
        while (e == null && System.nanoTime() < deadline) {
            try {
                writer.write(ByteBuffer.allocate(16));
                Thread.sleep(5);
            } catch (LinkDownException down) {
                e = down;
            }
        }
        assertTrue(e != null, "a write after the peer closed fails");
        assertEquals(Errno.ENXIO, e.errno());
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
        await(() -> peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
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
        await(() -> peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
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
        await(() -> peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
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
        await(() -> peersOf(a).isEmpty(), SOON, "the peer to leave A's view");
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

    // ---- events and cleanup ---------------------------------------------------------------------------------------

    @Test
    void shouldTellListenersAboutStreamsAndPeers() throws Exception {
        BlockingQueue<FabricEvent> events = new LinkedBlockingQueue<>();
        try (Subscription ignored = a.addListener(events::add)) {
            StreamInfo s = a.createStream(bed.serviceOnA(), StreamSpec.automatic("ev"));
            assertEquals(s.address(), next(events, FabricEvent.StreamCreated.class).stream().address());
            a.removeStream(s.address());
            assertEquals(s.address(), next(events, FabricEvent.StreamRemoved.class).stream().address());
            if (bed.controlsCable()) {
                bed.unplug();
                assertEquals(bed.nameOfB(), next(events, FabricEvent.PeerDisconnected.class).peer().deviceName());
                bed.plug();
                assertEquals(bed.nameOfB(), next(events, FabricEvent.PeerConnected.class).peer().deviceName());
            }
        }
    }

    private static <E extends FabricEvent> E next(BlockingQueue<FabricEvent> events, Class<E> type)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (true) {
            FabricEvent e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new TimeoutException("no " + type.getSimpleName() + " within " + SOON);
            }
            if (type.isInstance(e)) {
                return type.cast(e);
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

    private static List<PeerHost> peersOf(Fabric f) {
        try {
            return f.peers();
        } catch (FabricException e) {
            return List.of();
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
