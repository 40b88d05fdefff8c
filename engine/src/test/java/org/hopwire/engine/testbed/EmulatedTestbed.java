package org.hopwire.engine.testbed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.hopwire.engine.fabric.Fabric;
import org.hopwire.engine.fabric.emulated.CableProfile;
import org.hopwire.engine.fabric.emulated.EmulatedCable;
import org.hopwire.engine.fabric.emulated.EmulatedFabric;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.EmulatedWorld;
import org.hopwire.engine.pairing.PairedStreams;
import org.hopwire.engine.pairing.StreamPairing;

/** Two emulated hosts, "alpha" and "beta", on one cable, each seen through an {@link EmulatedFabric}. */
public class EmulatedTestbed implements FabricTestbed {
    protected final EmulatedWorld world;
    protected final EmulatedHost hostA;
    protected final EmulatedHost hostB;
    protected final EmulatedCable cable;
    private final Fabric a;
    private final Fabric b;

    public EmulatedTestbed() {
        this(CableProfile.UNTHROTTLED);
    }

    public EmulatedTestbed(CableProfile profile) {
        this(profile, EmulatedWorld.Settings.fromSystemProperties());
    }

    public EmulatedTestbed(EmulatedWorld.Settings settings) {
        this(CableProfile.UNTHROTTLED, settings);
    }

    /** Announcements take time in every setting, so followers meet "not announced yet" as on real links. */
    public EmulatedTestbed(CableProfile profile, EmulatedWorld.Settings settings) {
        world = new EmulatedWorld(settings);
        hostA = world.addHost("alpha");
        hostB = world.addHost("beta");
        cable = world.connect(hostA, hostB, profile);
        a = fabricFor(hostA, "a");
        b = fabricFor(hostB, "b");
    }

    /** The fabric a test sees for a host; the kernel-over-fake-tree testbed puts a {@code KernelFabric} here. */
    protected Fabric fabricFor(EmulatedHost host, String label) {
        return new EmulatedFabric(host);
    }

    /**
     * Pairs the same stream names on both hosts at once, as the two hosts' apps do when they see each other:
     * {A's streams, B's streams}. Waits for the hosts to see each other first.
     */
    public PairedStreams[] pairOnBoth(List<String> names) throws Exception {
        Transfers.await(() -> !hostA.xdomains().isEmpty() && !hostB.xdomains().isEmpty(), Duration.ofSeconds(5),
                "the hosts to see each other");
        Future<PairedStreams> x = Transfers.inBackground(() -> StreamPairing.pair(a, a.peers().get(0), names,
                StreamPairing.Options.DEFAULT));
        Future<PairedStreams> y = Transfers.inBackground(() -> StreamPairing.pair(b, b.peers().get(0), names,
                StreamPairing.Options.DEFAULT));
        return new PairedStreams[] {x.get(10, TimeUnit.SECONDS), y.get(10, TimeUnit.SECONDS)};
    }

    /**
     * Pairs one stream as the hosts' apps do, sets both rings to {@code ringSize} and opens it on both hosts: {A's
     * channel, B's channel}. (Writing the same crossed HopIDs by hand on both hosts races with the announcement: the
     * second host may inherit them first, and then its own write of the same values is EBUSY, as on the driver.)
     */
    public org.hopwire.engine.fabric.StreamChannel[] openPair(String name, int ringSize) throws Exception {
        PairedStreams[] p = pairOnBoth(List.of(name));
        var sa = p[0].stream(name).address();
        var sb = p[1].stream(name).address();
        a.setRingSize(sa, ringSize);
        b.setRingSize(sb, ringSize);
        return new org.hopwire.engine.fabric.StreamChannel[] {a.open(sa, Duration.ofSeconds(5)),
            b.open(sb, Duration.ofSeconds(5))};
    }

    public EmulatedWorld world() {
        return world;
    }

    public EmulatedHost hostA() {
        return hostA;
    }

    public EmulatedHost hostB() {
        return hostB;
    }

    @Override
    public Fabric a() {
        return a;
    }

    @Override
    public Fabric b() {
        return b;
    }

    @Override
    public String serviceOnA() {
        return "0-1.0";
    }

    @Override
    public String serviceOnB() {
        return "0-1.0";
    }

    @Override
    public String nameOfB() {
        return "beta";
    }

    @Override
    public boolean controlsCable() {
        return true;
    }

    @Override
    public void unplug() {
        cable.unplug();
    }

    @Override
    public void plug() {
        cable.plug();
    }

    @Override
    public List<String> groupsOnA() throws Exception {
        return hostA.groupNames();
    }

    @Override
    public void rmdirOnA(org.hopwire.engine.fabric.StreamAddress address) throws Exception {
        hostA.rmdirStream(address.service(), address.name());
    }

    @Override
    public void rmdirOnB(org.hopwire.engine.fabric.StreamAddress address) throws Exception {
        hostB.rmdirStream(address.service(), address.name());
    }

    @Override
    public Duration announcementTime() {
        return world.settings().timing().lastArrival().plusMillis(100);
    }

    @Override
    public void close() {
        a.close();
        b.close();
        world.close();
    }
}
