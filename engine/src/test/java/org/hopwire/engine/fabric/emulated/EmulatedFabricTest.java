package org.hopwire.engine.fabric.emulated;

import static org.hopwire.engine.testbed.Transfers.inBackground;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.HopIdBusyException;
import org.hopwire.engine.fabric.PermissionDeniedException;
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
        StreamInfo sa = bed.a().createStream("0-1.0", StreamSpec.manual("s", 8, 9).withRingSize(ringSize));
        StreamInfo sb = bed.b().createStream("0-1.0", StreamSpec.manual("s", 9, 8).withRingSize(ringSize));
        return new StreamChannel[] {bed.a().open(sa.address(), SOON), bed.b().open(sb.address(), SOON)};
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
    void shouldAllocateInHopIdsThatAreFreeOnThePeersSideToo() throws Exception {
        bed = new EmulatedTestbed();
        // B sends on 8 already, so A's automatic in-HopID (B's out on the same path) must not be 8.
        bed.b().createStream("0-1.0", StreamSpec.manual("b", 10, 8));
        StreamInfo s = bed.a().createStream("0-1.0", StreamSpec.automatic("a"));
        assertTrue(s.inHopId() != 8, s.toString());
    }

    @Test
    void shouldSayWhenNoHopIdIsLeft() throws Exception {
        bed = new EmulatedTestbed();
        int free = Usb4Stream.DEFAULT_MAX_HOPID - Usb4Stream.MIN_HOPID + 1;
        for (int i = 0; i < free; i++) {
            bed.a().createStream("0-1.0", StreamSpec.automatic("s" + i));
        }
        HopIdBusyException e = assertThrows(HopIdBusyException.class,
                () -> bed.a().createStream("0-1.0", StreamSpec.automatic("full")));
        assertTrue(e.getMessage().contains("no free HopID"), e.getMessage());
        assertEquals(free, bed.a().streams().size(), "the failed stream is not left behind");
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
    void shouldListItsPeerAsSysfsWould() {
        bed = new EmulatedTestbed(CableProfile.USB4_40G);
        var peers = bed.hostA().xdomains();
        assertEquals(1, peers.size());
        assertEquals("0-1", peers.get(0).id());
        assertEquals(40, peers.get(0).rxGbps());
        assertEquals(List.of("0-1.0"), peers.get(0).services().stream().map(s -> s.name()).toList());
    }
}
