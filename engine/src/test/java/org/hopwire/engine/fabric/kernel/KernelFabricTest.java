package org.hopwire.engine.fabric.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hopwire.engine.fabric.DriverNotLoadedException;
import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricEvent;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.Subscription;
import org.hopwire.engine.fabric.TooManyStreamsException;
import org.hopwire.engine.fabric.Usb4Stream;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.PermissionDeniedException;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.StreamSpec;
import org.hopwire.engine.testbed.KernelOverFakeTreeTestbed;
import org.hopwire.engine.testbed.Transfers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The kernel adapter's own concerns: reading sysfs as the kernel writes it, missing drivers and permissions. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KernelFabricTest {
    private static final UUID HOST = UUID.fromString("0b8c7f4e-55a0-4d77-9d3e-2a1f6c0e9a01");
    private static final UUID PEER = UUID.fromString("e2c1a3b4-0000-4000-8000-00000000abcd");

    @TempDir
    Path root;

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text + "\n");
    }

    /** A sysfs tree as the kernel lays it out: a domain, this host's router, a dock, and a peer host. */
    private KernelPaths realisticTree() throws IOException {
        KernelPaths p = KernelPaths.under(root);
        Path d = p.devices();
        write(d.resolve("domain0/uevent"), "DEVTYPE=thunderbolt_domain");
        write(d.resolve("0-0/uevent"), "DEVTYPE=thunderbolt_device");
        write(d.resolve("0-0/unique_id"), HOST.toString());
        // A dock is a device, not a host: it must not be listed as a peer.
        write(d.resolve("0-3/uevent"), "DEVTYPE=thunderbolt_device");
        write(d.resolve("0-3/unique_id"), UUID.randomUUID().toString());
        write(d.resolve("0-3/device_name"), "Thunderbolt Dock");
        write(d.resolve("0-1/uevent"), "DEVTYPE=thunderbolt_xdomain");
        write(d.resolve("0-1/unique_id"), PEER.toString());
        write(d.resolve("0-1/device_name"), "studio");
        write(d.resolve("0-1/vendor_name"), "Framework");
        write(d.resolve("0-1/rx_speed"), "20.0 Gb/s");
        write(d.resolve("0-1/tx_speed"), "20.0 Gb/s");
        write(d.resolve("0-1/rx_lanes"), "2");
        write(d.resolve("0-1/tx_lanes"), "2");
        write(d.resolve("0-1.0/uevent"), "DEVTYPE=thunderbolt_service");
        write(d.resolve("0-1.0/key"), "network");
        write(d.resolve("0-1.0/prtcid"), "1");
        write(d.resolve("0-1.1/uevent"), "DEVTYPE=thunderbolt_service");
        write(d.resolve("0-1.1/key"), "stream");
        write(d.resolve("0-1.1/prtcid"), "0x2");
        write(d.resolve("0-1.1/prtcvers"), "1");
        return p;
    }

    private static KernelFabric fabric(KernelPaths p, ConfigFs configFs) {
        return new KernelFabric(p, configFs, DeviceOpener.DIRECT, Duration.ofMillis(50));
    }

    @Test
    void shouldReadPeersHostUuidAndServicesAsTheKernelWritesThem() throws Exception {
        try (KernelFabric f = fabric(realisticTree(), ConfigFs.DIRECT)) {
            assertEquals(HOST, f.localHostUuid());
            List<PeerHost> peers = f.peers();
            assertEquals(1, peers.size(), "the dock is not a host: " + peers);
            PeerHost p = peers.get(0);
            assertEquals("0-1", p.id());
            assertEquals(PEER, p.uuid());
            assertEquals("studio", p.deviceName());
            assertEquals("Framework", p.vendorName());
            assertEquals(40, p.rxGbps());
            assertTrue(p.authorized());
            assertEquals("0-1.1", p.streamService().orElseThrow().name(), "the stream service, not the network one");
            assertEquals(2, p.streamService().orElseThrow().protocolId());
        }
    }

    @Test
    void shouldTellAHostWithServicesFromADeviceWhenUeventIsMissing() throws Exception {
        KernelPaths p = realisticTree();
        Files.delete(p.devices().resolve("0-1/uevent"));
        Files.delete(p.devices().resolve("0-3/uevent"));
        try (KernelFabric f = fabric(p, ConfigFs.DIRECT)) {
            assertEquals(List.of("0-1"), f.peers().stream().map(PeerHost::id).toList());
        }
    }

    @Test
    void shouldSayHowToLoadTheDriverWhenConfigFsIsMissing() throws Exception {
        KernelPaths p = realisticTree();
        assertTrue(KernelFabric.unavailableReason(p).orElseThrow().contains("modprobe thunderbolt_stream"));
        try (KernelFabric f = fabric(p, ConfigFs.DIRECT)) {
            DriverNotLoadedException e = assertThrows(DriverNotLoadedException.class,
                    () -> f.createStream("0-1.1", StreamSpec.automatic("ctl")));
            assertTrue(e.getMessage().contains("modprobe thunderbolt_stream"), e.getMessage());
            assertEquals(List.of(), f.streams());
        }
    }

    @Test
    void shouldSayThereIsNoControllerWithoutTheBus() {
        String why = KernelFabric.unavailableReason(KernelPaths.under(root)).orElseThrow();
        assertTrue(why.contains("no USB4/Thunderbolt controller"), why);
    }

    @Test
    void shouldNameTheHelperAndRootWhenConfigFsRefuses() throws Exception {
        try (KernelOverFakeTreeTestbed bed = new KernelOverFakeTreeTestbed()) {
            bed.kernelA().denyWrites();
            PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                    () -> bed.a().createStream(bed.serviceOnA(), StreamSpec.automatic("ctl")));
            assertEquals(Errno.EACCES, e.errno());
            assertTrue(e.getMessage().contains("privileged helper"), e.getMessage());
            assertTrue(e.getMessage().contains("run Hopwire as root"), e.getMessage());
        }
    }

    @Test
    void shouldSayTheStreamIsOpenNotTakenWhenAHopIdWriteOfMinusOneOrZeroMeetsEbusy() throws Exception {
        KernelPaths p = realisticTree();
        Files.createDirectories(p.configFsStream());
        // Another program holds the device open: the driver answers every attribute write with EBUSY.
        ConfigFs busy = new ConfigFs() {
            @Override
            public void mkdir(Path dir) {
            }

            @Override
            public void rmdir(Path dir) {
            }

            @Override
            public void write(Path attribute, String value) throws IOException {
                throw new SyscallException(Errno.EBUSY, "write", attribute.toString());
            }
        };
        try (KernelFabric f = fabric(p, busy)) {
            org.hopwire.engine.fabric.StreamAddress a = new org.hopwire.engine.fabric.StreamAddress("0-1.1", "ctl");
            assertThrows(org.hopwire.engine.fabric.StreamInUseException.class, () -> f.setHopIds(a, 0, 0),
                    "0 is never taken: EBUSY means the device is open");
            assertThrows(org.hopwire.engine.fabric.StreamInUseException.class, () -> f.setHopIds(a, -1, -1));
            var taken = assertThrows(org.hopwire.engine.fabric.HopIdBusyException.class, () -> f.setHopIds(a, 9, 9));
            assertTrue(taken.getMessage().contains("device open"), taken.getMessage());
        }
    }

    @Test
    void shouldWriteConfigFsAttributesAsOneLineOfText() throws Exception {
        Path attr = root.resolve("ring_size");
        Files.writeString(attr, "256\n");
        ConfigFs.DIRECT.write(attr, "512");
        assertEquals("512\n", Files.readString(attr));
    }

    @Test
    void shouldMoveBytesThroughTheDeviceNodeOpenedWithoutBlocking() throws Exception {
        // A FIFO opened for reading and writing loops back, which is enough to drive the real open/read/write/close
        // path of a character device without one.
        KernelPaths p = realisticTree();
        Path group = p.configFsStream().resolve("0-1.1/loop");
        write(group.resolve("index"), "0");
        write(group.resolve("in_hopid"), "8");
        write(group.resolve("out_hopid"), "8");
        write(group.resolve("ring_size"), "256");
        write(group.resolve("throttling"), "8192");
        Files.createDirectories(p.dev());
        Process mkfifo = new ProcessBuilder("mkfifo", p.dev().resolve("tbstream0").toString()).start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
        try (KernelFabric f = fabric(p, ConfigFs.DIRECT)) {
            StreamInfo s = f.streams().get(0);
            assertEquals(8, s.inHopId());
            try (StreamChannel ch = f.open(s.address(), Duration.ZERO)) {
                assertTrue(f.stream(s.address()).orElseThrow().open(), "the fabric knows its own opens");
                ch.writeFully(ByteBuffer.wrap("frame".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(5);
                while (in.hasRemaining()) {
                    ch.read(in);
                }
                assertArrayEquals("frame".getBytes(StandardCharsets.US_ASCII), in.array());
            }
        }
    }

    @Test
    void shouldKnowThisHostByItsUuidInThePeersDomain() throws Exception {
        KernelPaths p = realisticTree();
        // A second host router: domain 1, where this host has another UUID, and a peer on it.
        UUID second = UUID.fromString("00000000-1111-4000-8000-000000000002");
        UUID peerOnOne = UUID.fromString("77777777-0000-4000-8000-000000000003");
        Path d = p.devices();
        write(d.resolve("domain1/uevent"), "DEVTYPE=thunderbolt_domain");
        write(d.resolve("1-0/uevent"), "DEVTYPE=thunderbolt_device");
        write(d.resolve("1-0/unique_id"), second.toString());
        write(d.resolve("1-1/uevent"), "DEVTYPE=thunderbolt_xdomain");
        write(d.resolve("1-1/unique_id"), peerOnOne.toString());
        write(d.resolve("1-1/maxhopid"), "15");
        write(d.resolve("1-1.0/uevent"), "DEVTYPE=thunderbolt_service");
        write(d.resolve("1-1.0/key"), "stream");
        write(d.resolve("1-1.0/prtcstns"), "0x00000001");
        try (KernelFabric f = fabric(p, ConfigFs.DIRECT)) {
            PeerHost zero = f.peers().stream().filter(x -> x.id().equals("0-1")).findFirst().orElseThrow();
            PeerHost one = f.peers().stream().filter(x -> x.id().equals("1-1")).findFirst().orElseThrow();
            assertEquals(HOST, f.localHostUuid(zero));
            assertEquals(second, f.localHostUuid(one), "the peer on domain 1 knows this host by 1-0/unique_id");
            assertEquals(HOST, f.localHostUuid(), "without a peer: the first domain's");
            assertEquals(15, one.maxHopId());
            assertEquals(15, one.outHopIdLimit());
            assertEquals(0, zero.maxHopId(), "announces none");
            assertEquals(Usb4Stream.PEER_DEFAULT_MAX_HOPID, zero.outHopIdLimit());
            assertEquals(1, one.streamService().orElseThrow().protocolSettings(), "prtcstns reads as 0x%08x");
        }
    }

    @Test
    void shouldRetryAnOpenBrieflyWhileUdevGivesTheNodeItsMode() throws Exception {
        try (KernelOverFakeTreeTestbed bed = new KernelOverFakeTreeTestbed()) {
            var pairs = bed.pairOnBoth(List.of("udev"));
            bed.kernelA().udevDelay(Duration.ofMillis(300));
            // The node was just made (as far as udev goes): the first opens are refused, then one passes.
            bed.kernelA().restartUdevClock();
            try (StreamChannel c = bed.a().open(pairs[0].stream("udev").address(), Duration.ZERO)) {
                assertTrue(c.isOpen());
            }
            bed.kernelA().udevDelay(Duration.ofSeconds(30));
            bed.kernelA().restartUdevClock();
            PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                    () -> bed.a().open(pairs[0].stream("udev").address(), Duration.ZERO));
            assertTrue(e.getMessage().contains("udev rule"), e.getMessage());
        }
    }

    @Test
    void shouldTypeTooManyStreamsAndPathsThatCannotBeEnabled() throws Exception {
        try (KernelOverFakeTreeTestbed bed = new KernelOverFakeTreeTestbed(
                EmulatedWorld.Settings.fromSystemProperties().withDmaRings(1))) {
            var pairs = bed.pairOnBoth(List.of("one", "two"));
            try (StreamChannel first = bed.a().open(pairs[0].stream("one").address(), Duration.ZERO)) {
                TooManyStreamsException e = assertThrows(TooManyStreamsException.class,
                        () -> bed.a().open(pairs[0].stream("two").address(), Duration.ZERO));
                assertEquals(Errno.ENOMEM, e.errno());
            }
            bed.hostA().failNextPathEnable();
            FabricException e = assertThrows(FabricException.class,
                    () -> bed.a().open(pairs[0].stream("two").address(), Duration.ZERO));
            assertEquals(Errno.EIO, e.errno());
            assertTrue(e.getMessage().contains("paths"), e.getMessage());
        }
    }

    @Test
    void shouldSayItResumedWhenTheBootClockJumpsAheadOfTheMonotonicOne() throws Exception {
        AtomicLong offset = new AtomicLong(1_000_000_000L);
        BlockingQueue<FabricEvent> events = new LinkedBlockingQueue<>();
        try (KernelFabric f = new KernelFabric(realisticTree(), ConfigFs.DIRECT, DeviceOpener.DIRECT,
                Duration.ofMillis(20), () -> System.nanoTime() + offset.get());
             Subscription ignored = f.addListener(events::add)) {
            Thread.sleep(100);
            assertTrue(events.stream().noneMatch(e -> e instanceof FabricEvent.Resumed), "no suspend yet");
            offset.addAndGet(TimeUnit.SECONDS.toNanos(30)); // 30 s asleep: the boot clock ran on, the other did not
            Transfers.nextEvent(events, FabricEvent.Resumed.class, Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldReadTheLeadingNumberOfSysfsValues() {
        assertEquals(20, Sysfs.leadingNumber("20.0 Gb/s"));
        assertEquals(10, Sysfs.leadingNumber("0xa"));
        assertEquals(0, Sysfs.leadingNumber("unknown"));
        assertEquals(-1, Sysfs.leadingNumber("-1"), "a HopID written before attach reads as written");
    }
}
