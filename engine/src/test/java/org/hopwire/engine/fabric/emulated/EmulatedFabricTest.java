package org.hopwire.engine.fabric.emulated;

import static org.hopwire.engine.testbed.Transfers.inBackground;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricEvent;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.HopIdBusyException;
import org.hopwire.engine.fabric.InvalidArgumentException;
import org.hopwire.engine.fabric.LinkDownException;
import org.hopwire.engine.fabric.NameTooLongException;
import org.hopwire.engine.fabric.NoFreeHopIdException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.PermissionDeniedException;
import org.hopwire.engine.fabric.ServiceInfo;
import org.hopwire.engine.fabric.Subscription;
import org.hopwire.engine.fabric.TooManyStreamsException;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.fabric.Usb4Stream;
import org.hopwire.engine.testbed.EmulatedTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the emulator adds beyond the conformance suite: its cable model, HopID bookkeeping and driver details. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmulatedFabricTest {
    private static final Duration SOON = Duration.ofSeconds(5);
    private EmulatedTestbed bed;

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    /** Creates "s" on both hosts with the given crossed HopIDs and opens both ends. */
    private StreamChannel[] openPair(int ringSize) throws Exception {
        return bed.openPair("s", ringSize);
    }

    @Test
    void shouldDelayEveryPacketByTheCableLatency() throws Exception {
        long latencyNs = TimeUnit.MILLISECONDS.toNanos(40);
        bed = new EmulatedTestbed(new CableProfile(0, latencyNs, 20, 2));
        StreamChannel[] c = openPair(256);
        Future<Long> arrival = inBackground(() -> {
            Transfers.readExactly(c[1], 4);
            return System.nanoTime();
        });
        long sent = System.nanoTime();
        c[0].writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        long tookNs = arrival.get(5, TimeUnit.SECONDS) - sent;
        assertTrue(tookNs >= latencyNs, "arrived after " + tookNs + " ns, before the " + latencyNs + " ns latency");
    }

    @Test
    void shouldNotDeliverFasterThanTheCableRate() throws Exception {
        long rate = 50L << 20; // 50 MiB/s: 10 MiB take at least 200 ms
        bed = new EmulatedTestbed(new CableProfile(rate, 0, 20, 2));
        StreamChannel[] c = openPair(256);
        long bytes = 10L << 20;
        long start = System.nanoTime();
        Future<Long> got = inBackground(() -> Transfers.receive(c[1], bytes));
        long sent = Transfers.send(c[0], bytes, 3, 1 << 20);
        assertEquals(sent, got.get(10, TimeUnit.SECONDS).longValue());
        long tookNs = System.nanoTime() - start;
        long floorNs = bytes * 1_000_000_000L / rate;
        assertTrue(tookNs >= floorNs, "took " + tookNs + " ns, below the rate's floor of " + floorNs + " ns");
    }

    @Test
    void shouldAvoidHopIdsThatThunderboltNetHolds() throws Exception {
        bed = new EmulatedTestbed();
        bed.hostA().reserveHopIds(8, 9);
        StreamInfo s = bed.a().createStream("0-1.0", StreamSpec.automatic("net"));
        assertEquals(10, s.inHopId());
        assertEquals(10, s.outHopId());
        assertThrows(HopIdBusyException.class, () -> bed.a().createStream("0-1.0", StreamSpec.manual("x", 8, 11)));
    }

    @Test
    void shouldSayWhenNoHopIdIsLeft() throws Exception {
        bed = new EmulatedTestbed();
        int free = Usb4Stream.DEFAULT_MAX_HOPID - Usb4Stream.MIN_HOPID + 1;
        for (int i = 0; i < free; i++) {
            bed.a().createStream("0-1.0", StreamSpec.automatic("s" + i));
        }
        NoFreeHopIdException e = assertThrows(NoFreeHopIdException.class,
                () -> bed.a().createStream("0-1.0", StreamSpec.automatic("full")));
        assertEquals(Errno.ENOSPC, e.errno());
        assertTrue(e.getMessage().contains("no free HopID"), e.getMessage());
        assertEquals(free, bed.a().streams().size(), "the failed stream is not left behind");
    }

    @Test
    void shouldMeasureTheNameLimitInBytes() throws Exception {
        bed = new EmulatedTestbed();
        // Five characters, ten bytes in UTF-8: the driver counts bytes (strlen).
        NameTooLongException e = assertThrows(NameTooLongException.class,
                () -> bed.a().createStream("0-1.0", StreamSpec.automatic("\u00e9\u00e9\u00e9\u00e9\u00e9")));
        assertTrue(e.getMessage().contains("10 bytes"), e.getMessage());
        assertEquals("\u00e9\u00e9\u00e9\u00e9", bed.a().createStream("0-1.0",
                StreamSpec.automatic("\u00e9\u00e9\u00e9\u00e9")).address().name(), "8 bytes fit");
    }

    @Test
    void shouldFailAnOpenWithTooManyStreamsOrPathsThatCannotBeEnabled() throws Exception {
        bed = new EmulatedTestbed(EmulatedWorld.Settings.fromSystemProperties().withDmaRings(2));
        StreamInfo x = bed.a().createStream("0-1.0", StreamSpec.manual("x", 8, 8));
        StreamInfo y = bed.a().createStream("0-1.0", StreamSpec.manual("y", 9, 9));
        StreamInfo z = bed.a().createStream("0-1.0", StreamSpec.manual("z", 10, 10));
        try (StreamChannel cx = bed.a().open(x.address(), SOON); StreamChannel cy = bed.a().open(y.address(), SOON)) {
            TooManyStreamsException e = assertThrows(TooManyStreamsException.class,
                    () -> bed.a().open(z.address(), SOON));
            assertEquals(Errno.ENOMEM, e.errno());
            assertTrue(e.getMessage().contains("DMA ring"), e.getMessage());
            // A second open of an open device shares its rings and needs none.
            bed.a().open(x.address(), SOON).close();
        }
        bed.hostA().failNextPathEnable();
        FabricException e = assertThrows(FabricException.class, () -> bed.a().open(z.address(), SOON));
        assertEquals(Errno.EIO, e.errno());
        bed.a().open(z.address(), SOON).close();
    }

    @Test
    void shouldTellAnOverflowingNumberFromGarbage() throws Exception {
        bed = new EmulatedTestbed();
        StreamInfo s = bed.a().createStream("0-1.0", StreamSpec.automatic("num"));
        assertEquals(Errno.ERANGE, assertThrows(InvalidArgumentException.class,
                () -> bed.a().setThrottling(s.address(), 100_000_000_000L)).errno());
        assertEquals(Errno.EINVAL, assertThrows(InvalidArgumentException.class,
                () -> bed.hostA().writeAttribute("0-1.0", "num", "ring_size", "12abc")).errno());
        bed.hostA().writeAttribute("0-1.0", "num", "ring_size", "64\n");
        assertEquals(64, bed.a().stream(s.address()).orElseThrow().ringSize(), "one trailing newline is fine");
    }

    @Test
    void shouldRaiseAChangeEventOnEveryReadOfThePeersProperties() throws Exception {
        bed = new EmulatedTestbed();
        BlockingQueue<FabricEvent> events = new LinkedBlockingQueue<>();
        try (Subscription ignored = bed.b().addListener(events::add)) {
            bed.a().createStream("0-1.0", StreamSpec.automatic("ann"));
            List<FabricEvent.ServiceChanged> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                FabricEvent e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e instanceof FabricEvent.ServiceChanged c) {
                    seen.add(c);
                }
            }
            assertEquals(2, seen.size(), "a re-read soon after the change, and the driver's second one later");
            assertEquals("0-1.0", seen.get(0).service());
        }
    }

    @Test
    void shouldTakeTheDriversTimeForAnAnnouncementOnTheDriverPreset() throws Exception {
        bed = new EmulatedTestbed(EmulatedWorld.Settings.DRIVER);
        bed.a().createStream("0-1.0", StreamSpec.automatic("slow"));
        Thread.sleep(50);
        StreamInfo early = bed.b().createStream("0-1.0", StreamSpec.inherited("slow"));
        assertEquals(0, early.inHopId(), "the 50 ms send and 100 ms re-read have not passed");
        bed.b().removeStream(early.address());
        Thread.sleep(250);
        assertTrue(bed.b().createStream("0-1.0", StreamSpec.inherited("slow")).hasHopIds(),
                "arrived after the first re-read");
    }

    @Test
    void shouldHoldOrLoseWhatIsWrittenBeforeTheReaderOpens() throws Exception {
        for (EmulatedWorld.EarlyData mode : EmulatedWorld.EarlyData.values()) {
            bed = new EmulatedTestbed(EmulatedWorld.Settings.fromSystemProperties().withEarlyData(mode));
            var p = bed.pairOnBoth(List.of("e"));
            StreamChannel writer = bed.a().open(p[0].stream("e").address(), SOON);
            writer.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            StreamChannel reader = bed.b().open(p[1].stream("e").address(), SOON);
            writer.writeFully(ByteBuffer.wrap(new byte[] {4}));
            byte[] first = Transfers.readExactly(reader, 1);
            assertEquals(mode == EmulatedWorld.EarlyData.HELD ? 1 : 4, first[0], mode + ": " + first[0]);
            reader.close();
            writer.close();
            bed.close();
        }
        bed = null;
    }

    @Test
    void shouldLeaveAHoleInOpenStreamsOnSuspendAndSayItResumed() throws Exception {
        bed = new EmulatedTestbed();
        StreamChannel[] c = openPair(256);
        BlockingQueue<FabricEvent> events = new LinkedBlockingQueue<>();
        try (Subscription ignored = bed.a().addListener(events::add)) {
            c[0].writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            bed.hostA().suspendAndResume();
            c[0].writeFully(ByteBuffer.wrap(new byte[] {9}));
            assertArrayEquals(new byte[] {9}, Transfers.readExactly(c[1], 1), "what was queued is gone");
            Transfers.nextEvent(events, FabricEvent.Resumed.class, Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldFailAWriterThatMustWaitOnARemovedStream() throws Exception {
        bed = new EmulatedTestbed();
        StreamChannel[] c = openPair(32);
        bed.hostA().rmdirStream("0-1.0", "s");
        // Writes are taken while there is room, then the first that must wait fails.
        AtomicLong written = new AtomicLong();
        LinkDownException e = assertThrows(LinkDownException.class, () -> {
            while (true) {
                written.addAndGet(c[0].write(ByteBuffer.allocate(64 << 10)));
            }
        });
        assertTrue(written.get() > 0, "writes with room succeeded first");
        assertEquals(Errno.ENXIO, e.errno());
    }

    @Test
    void shouldRefuseWritesToTheReadOnlyIndex() throws Exception {
        bed = new EmulatedTestbed();
        bed.a().createStream("0-1.0", StreamSpec.automatic("ro"));
        assertThrows(PermissionDeniedException.class, () -> bed.hostA().writeAttribute("0-1.0", "ro", "index", "7"));
    }

    @Test
    void shouldLetASecondReaderStealData() throws Exception {
        bed = new EmulatedTestbed();
        StreamChannel[] c = openPair(256);
        StreamChannel second = bed.b().open(bed.b().streams().get(0).address(), SOON);
        c[0].writeFully(ByteBuffer.wrap(new byte[] {5, 6, 7}));
        assertArrayEquals(new byte[] {5, 6, 7}, Transfers.readExactly(second, 3), "any opener of the device reads");
        Future<Integer> first = inBackground(() -> c[1].read(ByteBuffer.allocate(8)));
        Thread.sleep(100);
        assertFalse(first.isDone(), "what the second reader took is gone for the first");
        c[0].close();
        assertEquals(-1, first.get(5, TimeUnit.SECONDS).intValue(), "the CLOSE reaches whichever reader is there");
    }

    @Test
    void shouldKeepSharedDeviceAliveUntilTheLastClose() throws Exception {
        bed = new EmulatedTestbed();
        StreamChannel[] c = openPair(256);
        StreamChannel again = bed.a().open(bed.a().streams().get(0).address(), SOON);
        again.close();
        c[0].writeFully(ByteBuffer.wrap(new byte[] {1}));
        assertArrayEquals(new byte[] {1}, Transfers.readExactly(c[1], 1), "closing one of two opens sends no CLOSE");
        c[0].close();
        assertEquals(-1, c[1].read(ByteBuffer.allocate(1)));
    }

    /**
     * FUSE tells the emulator of a close(2) at once (flush) and lets go of the file later (release), after close(2)
     * returned. The driver's last close has drained and cancelled before it returns, so the flush does that part: a
     * reader that starts between the two must find what the driver would have left, and no CLOSE either way.
     */
    @Test
    void shouldCancelAtAFilesCloseWhatTheReaderDidNotTakeHoweverLateTheReleaseComes() throws Exception {
        StreamChannel[] c = openPairWithShortDrain();
        EmulatedChannel writer = (EmulatedChannel) c[0];
        long written = fillTxRing(writer);
        writer.flushAsFile(); // close(2) of the only descriptor: the ring was full, so no CLOSE will follow
        Drain reader = new Drain(c[1]);
        long beforeRelease = reader.untilQuiet();
        assertTrue(beforeRelease > 0 && beforeRelease < written,
                "what was in the RX ring arrived, the TX ring's tail was cancelled: " + beforeRelease + " of " + written);
        writer.close(); // FUSE's release, late
        assertEquals(beforeRelease, reader.untilQuiet(), "nothing more after the release");
        assertFalse(reader.ended(), "and no end of file");
    }

    @Test
    void shouldSendTheCloseAtTheReleaseWhenTheFilesCloseFoundRoomAndTheReaderKeptUp() throws Exception {
        StreamChannel[] c = openPairWithShortDrain();
        EmulatedChannel writer = (EmulatedChannel) c[0];
        writer.writeFully(ByteBuffer.allocate(10 << 10));
        Drain reader = new Drain(c[1]);
        writer.flushAsFile();
        writer.close();
        assertEquals(10 << 10, reader.untilQuiet());
        assertTrue(reader.ended(), "the CLOSE came after the data");
    }

    @Test
    void shouldTreatAFilesCloseFollowedByAWriteAsNotTheLastClose() throws Exception {
        StreamChannel[] c = openPairWithShortDrain();
        EmulatedChannel writer = (EmulatedChannel) c[0];
        long written = fillTxRing(writer);
        writer.flushAsFile(); // one of two descriptors (a dup) was closed: the tail is cancelled all the same
        Drain reader = new Drain(c[1]);
        long got = reader.untilQuiet();
        assertTrue(got < written, "cancelled at the first close: " + got + " of " + written);
        writer.writeAsFile(ByteBuffer.wrap(new byte[] {7}), false); // the other descriptor is still in use
        writer.close();
        assertEquals(got + 1, reader.untilQuiet());
        assertTrue(reader.ended(), "the real last close had room, so its CLOSE arrives");
    }

    /** A stream open both ways with small rings, on a world whose last close waits 100 ms for the reader. */
    private StreamChannel[] openPairWithShortDrain() throws Exception {
        bed = new EmulatedTestbed(EmulatedWorld.Settings.fromSystemProperties().withCloseDrain(Duration.ofMillis(100)));
        return openPair(32);
    }

    /** Writes without blocking until the TX ring is full; returns the bytes taken. */
    private static long fillTxRing(EmulatedChannel writer) throws Exception {
        long written = 0;
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        while (true) {
            buf.clear();
            try {
                written += writer.writeAsFile(buf, true);
            } catch (EmulatedChannel.WouldBlockException e) {
                return written;
            }
        }
    }

    /** Reads a channel in the background until its end of file, counting the bytes. */
    private static final class Drain {
        private final AtomicLong got = new AtomicLong();
        private final Future<Void> reading;

        Drain(StreamChannel channel) {
            reading = inBackground(() -> {
                ByteBuffer buf = ByteBuffer.allocate(64 << 10);
                int n;
                while ((n = channel.read(buf.clear())) >= 0) {
                    got.addAndGet(n);
                }
                return null;
            });
        }

        /** The bytes read once nothing more came for 300 ms, or the end of file was read. */
        long untilQuiet() throws InterruptedException {
            long seen;
            do {
                seen = got.get();
                Thread.sleep(300);
            } while (seen != got.get() && !reading.isDone());
            return got.get();
        }

        boolean ended() {
            return reading.isDone();
        }
    }

    @Test
    void shouldReadAgainAfterThePeerReopens() throws Exception {
        bed = new EmulatedTestbed();
        StreamChannel[] c = openPair(256);
        c[0].close();
        assertEquals(-1, c[1].read(ByteBuffer.allocate(1)));
        StreamChannel reopened = bed.a().open(bed.a().streams().get(0).address(), SOON);
        reopened.writeFully(ByteBuffer.wrap(new byte[] {9}));
        assertArrayEquals(new byte[] {9}, Transfers.readExactly(c[1], 1));
    }

    @Test
    void shouldGiveAStreamMadeBeforeTheAnnouncementNoHopIds() throws Exception {
        bed = new EmulatedTestbed();
        bed.a().createStream("0-1.0", StreamSpec.automatic("late"));
        StreamInfo early = bed.b().createStream("0-1.0", StreamSpec.inherited("late"));
        assertEquals(0, early.inHopId(), "the announcement takes the announce delay to arrive");
        Thread.sleep(200);
        assertEquals(0, bed.b().stream(early.address()).orElseThrow().inHopId(),
                "the driver looks only at mkdir time");
        bed.b().removeStream(early.address());
        StreamInfo again = bed.b().createStream("0-1.0", StreamSpec.inherited("late"));
        assertTrue(again.hasHopIds(), again.toString());
    }

    @Test
    void shouldOfferTheStreamServiceAfterTheOthersItsHostOffersFirst() throws Exception {
        bed = new EmulatedTestbed();
        bed.hostB().offerServicesBeforeStream(1);
        PeerHost b = bed.a().peers().get(0);
        assertEquals(List.of("0-1.0", "0-1.1"), b.services().stream().map(ServiceInfo::name).toList());
        assertEquals("0-1.1", b.streamService().orElseThrow().name());
        // A group named after the other service is accepted and never attaches.
        assertFalse(bed.a().createStream("0-1.0", StreamSpec.automatic("wrong")).attached());
        assertTrue(bed.a().createStream("0-1.1", StreamSpec.automatic("right")).attached());
    }

    @Test
    void shouldShowEachDomainItsOwnUuid() throws Exception {
        try (EmulatedWorld world = new EmulatedWorld()) {
            EmulatedHost a = world.addHost("alpha", UUID.fromString("ffffffff-0000-4000-8000-000000000000"));
            UUID second = UUID.fromString("00000000-0000-4000-8000-000000000001");
            int domain = a.addDomain(second);
            EmulatedHost b = world.addHost("beta");
            world.connect(a, domain, b, 0, CableProfile.UNTHROTTLED);
            EmulatedFabric fa = new EmulatedFabric(a);
            EmulatedFabric fb = new EmulatedFabric(b);
            PeerHost bOnA = fa.peers().get(0);
            assertEquals("1-1", bOnA.id(), "the peer is on domain 1");
            assertEquals(second, fa.localHostUuid(bOnA), "this host as the peer on domain 1 knows it");
            assertEquals(second, fb.peers().get(0).uuid());
            assertTrue(fa.createStream("1-1.0", StreamSpec.automatic("d1")).attached());
            fa.close();
            fb.close();
        }
    }

    @Test
    void shouldListItsPeerAsSysfsWould() {
        bed = new EmulatedTestbed(CableProfile.USB4_40G);
        var peers = bed.hostA().xdomains();
        assertEquals(1, peers.size());
        assertEquals("0-1", peers.get(0).id());
        assertEquals(40, peers.get(0).rxGbps());
        assertEquals(List.of("0-1.0"), peers.get(0).services().stream().map(s -> s.name()).toList());
    }
}
