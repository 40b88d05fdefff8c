package org.hopwire.engine.fabric.emulated;

import static org.hopwire.engine.fabric.AbstractFabric.ATTR_INDEX;
import static org.hopwire.engine.fabric.AbstractFabric.ATTR_IN_HOPID;
import static org.hopwire.engine.fabric.AbstractFabric.ATTR_OUT_HOPID;
import static org.hopwire.engine.fabric.AbstractFabric.ATTR_RING_SIZE;
import static org.hopwire.engine.fabric.AbstractFabric.ATTR_THROTTLING;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.hopwire.engine.fabric.FabricEvent;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.NoSuchStreamException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.Problems;
import org.hopwire.engine.fabric.ServiceInfo;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamExistsException;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.Usb4Stream;

/**
 * One emulated host and its {@code thunderbolt_stream} driver: host routers (domains), ConfigFS groups and streams,
 * HopID allocation, announcements to peers, and the character devices, as {@code
 * shared/usb4stream-kernel-interface.md} describes the driver.
 *
 * <p>Its methods are the driver's operations, at the level a program sees them: {@code mkdir}, {@code rmdir},
 * attribute reads and writes with their text values, and {@code open}. Each fails as the driver does, with a
 * {@link FabricException} carrying the errno. {@link EmulatedFabric} uses them, and so can a test that plays the
 * kernel under {@code KernelFabric}.
 *
 * <p>What it keeps as the driver does and a simpler model would not: HopID writes before the peer is attached are
 * stored unchecked and applied at attach, where the peer's announcement is inherited and errors are ignored; an
 * announcement outlives {@code rmdir} and is withdrawn only by writing 0 or by the peer leaving; announcements take
 * the driver's steps to arrive; a removed stream that is still open keeps its HopIDs, index and rings until the last
 * close; an fd still open across an unplug never gets its rings back; a suspend leaves a hole in every open stream.
 */
public final class EmulatedHost {
    /** The key of the other service a host may offer before USB4STREAM (as {@code thunderbolt_net} does). */
    static final String NETWORK_KEY = "network";

    private final EmulatedWorld world;
    private final String name;

    // Guarded by the world's monitor.
    private final List<Domain> domains = new ArrayList<>();
    private final Map<String, Group> groups = new TreeMap<>();
    /** Streams removed while their device was open: they keep HopIDs, index and rings until the last close. */
    private final List<Dir> zombies = new ArrayList<>();
    private final Set<Integer> reservedHopIds = new TreeSet<>();
    private int servicesBeforeStream;
    private int announcedMaxHopId;
    private boolean failNextPathEnable;

    private final CopyOnWriteArrayList<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<FabricEvent>> signalListeners = new CopyOnWriteArrayList<>();

    /** One host router: its own UUID, as the peers on its cables know this host, and its DMA rings. */
    private static final class Domain {
        final int number;
        final UUID uuid;
        final Map<Integer, Port> ports = new TreeMap<>();
        int nextRoute = 1;
        int ringsInUse;

        Domain(int number, UUID uuid) {
            this.number = number;
            this.uuid = uuid;
        }
    }

    /** One end of a cable on this host: the XDomain behind a route, with the driver's state per XDomain. */
    private static final class Port {
        final Domain domain;
        final int route;
        final EmulatedCable cable;
        /** The XDomain's HopID allocators (the kernel's per-XDomain IDAs): local bookkeeping only. */
        final Set<Integer> inIds = new HashSet<>();
        final Set<Integer> outIds = new HashSet<>();
        /** What this host announces to the peer: name to {in, out}. */
        final Map<String, int[]> published = new LinkedHashMap<>();
        /** What the peer announced, as this host last read it: name to {peer's in, peer's out}. */
        Map<String, int[]> received = new HashMap<>();

        Port(Domain domain, int route, EmulatedCable cable) {
            this.domain = domain;
            this.route = route;
            this.cable = cable;
        }

        String xdomainId() {
            return domain.number + "-" + Integer.toHexString(route);
        }
    }

    /** A ConfigFS service group: whatever name the driver's lenient parse accepted. */
    private static final class Group {
        final String name;
        final long domain;
        final long route;
        final Map<String, Dir> streams = new TreeMap<>();

        Group(String name, long domain, long route) {
            this.name = name;
            this.domain = domain;
            this.route = route;
        }
    }

    private static final class Dir {
        final Group group;
        final StreamAddress address;
        final int index;
        /** The attributes as they read. */
        int in;
        int out;
        /** Whether the numbers shown are really allocated, on {@link #heldOn}. */
        boolean inHeld;
        boolean outHeld;
        Port heldOn;
        int ringSize = Usb4Stream.DEFAULT_RING_SIZE;
        long throttlingNs = Usb4Stream.DEFAULT_THROTTLING_NS;
        volatile boolean removed;
        /** The rings while the device is open. */
        Rings rings;

        Dir(Group group, String name, int index) {
            this.group = group;
            this.address = new StreamAddress(group.name, name);
            this.index = index;
        }

        String name() {
            return address.name();
        }

        boolean valid() {
            return inHeld && outHeld;
        }
    }

    /** What the first open starts and the last close stops: the TX and RX rings on one connection. */
    static final class Rings {
        final Dir dir;
        final Pipe tx;
        final Pipe rx;
        final Port port;
        final long generation;
        int opens;

        Rings(Dir dir, Pipe tx, Pipe rx, Port port, long generation) {
            this.dir = dir;
            this.tx = tx;
            this.rx = rx;
            this.port = port;
            this.generation = generation;
        }

        StreamAddress address() {
            return dir.address;
        }

        boolean removed() {
            return dir.removed;
        }

        /** Whether the connection these rings were started on is still the cable's; caller holds the monitor. */
        boolean liveLocked() {
            return port.cable.pluggedLocked() && port.cable.generationLocked() == generation;
        }
    }

    EmulatedHost(EmulatedWorld world, String name, UUID uuid) {
        this.world = world;
        this.name = name;
        this.announcedMaxHopId = world.settings().maxHopId();
        domains.add(new Domain(0, uuid));
    }

    EmulatedWorld world() {
        return world;
    }

    public String name() {
        return name;
    }

    /** This host's UUID in its first domain. */
    public UUID uuid() {
        return uuid(0);
    }

    /** This host's UUID in a domain: what a peer on that domain's cables reads as its {@code unique_id}. */
    public UUID uuid(int domain) {
        synchronized (world) {
            return domains.get(domain).uuid;
        }
    }

    /** The UUIDs of this host's domains, in domain order. */
    public List<UUID> domainUuids() {
        synchronized (world) {
            return domains.stream().map(d -> d.uuid).toList();
        }
    }

    /** Adds a second (third, ...) host router with its own UUID, as machines with two USB4 controllers have. */
    public int addDomain(UUID uuid) {
        synchronized (world) {
            domains.add(new Domain(domains.size(), uuid));
            return domains.size() - 1;
        }
    }

    @Override
    public String toString() {
        return "emulated host " + name;
    }

    /** Marks HopIDs as held by someone else on every XDomain, as {@code thunderbolt_net} would hold them. */
    public void reserveHopIds(int... hopIds) {
        synchronized (world) {
            for (int h : hopIds) {
                reservedHopIds.add(h);
            }
        }
    }

    /**
     * Offers {@code n} other services (such as {@code thunderbolt_net}) before USB4STREAM, so peers see its stream
     * service as {@code <xdomain>.<n>}: service indexes are the offering host's order.
     */
    public void offerServicesBeforeStream(int n) {
        synchronized (world) {
            servicesBeforeStream = n;
        }
        changed();
    }

    /** The {@code maxhopid} this host announces; 0 announces none, and peers then assume 15. */
    public void announceMaxHopId(int max) {
        synchronized (world) {
            announcedMaxHopId = max;
        }
        changed();
    }

    /** The next first open fails with EIO, as when the driver cannot enable the paths. */
    public void failNextPathEnable() {
        synchronized (world) {
            failNextPathEnable = true;
        }
    }

    /** Runs {@code listener} on the emulator thread after any change this host's programs could see. */
    public void addChangeListener(Runnable listener) {
        changeListeners.add(listener);
    }

    public void removeChangeListener(Runnable listener) {
        changeListeners.remove(listener);
    }

    /** Hears what a program learns other than by looking: change uevents on services, and resumes. */
    public void addSignalListener(Consumer<FabricEvent> listener) {
        signalListeners.add(listener);
    }

    public void removeSignalListener(Consumer<FabricEvent> listener) {
        signalListeners.remove(listener);
    }

    void changed() {
        for (Runnable l : changeListeners) {
            world.later(Duration.ZERO, l);
        }
    }

    private void signal(FabricEvent event) {
        for (Consumer<FabricEvent> l : signalListeners) {
            world.later(Duration.ZERO, () -> l.accept(event));
        }
    }

    // ---- topology ----------------------------------------------------------------------------------------------

    int nextRoute(int domain) {
        synchronized (world) {
            Domain d = domains.get(domain);
            int r = d.nextRoute;
            d.nextRoute += 2;
            return r;
        }
    }

    void attach(EmulatedCable cable) {
        Domain d = domains.get(cable.domainOn(this));
        d.ports.put(cable.routeOn(this), new Port(d, cable.routeOn(this), cable));
    }

    private Port port(EmulatedCable cable) {
        return domains.get(cable.domainOn(this)).ports.get(cable.routeOn(this));
    }

    /** A cable of this host was plugged or unplugged; caller holds the world's monitor. */
    void cableChanged(EmulatedCable cable) {
        Port p = port(cable);
        if (cable.pluggedLocked()) {
            // The groups named after the peer's service attach now, and their streams with them.
            for (Group g : groups.values()) {
                if (attachedPort(g) == p) {
                    for (Dir d : g.streams.values()) {
                        attachStream(d, p);
                    }
                }
            }
        } else {
            // The peer left: its announcements are gone, this host's towards it too, and the HopIDs are released
            // (the numbers stay in the attributes).
            p.received = new HashMap<>();
            p.published.clear();
            for (Dir d : allDirs()) {
                if (d.heldOn == p) {
                    releaseHopIds(d);
                }
            }
        }
    }

    /** The hosts on this host's cables, as sysfs would show them. */
    public List<PeerHost> xdomains() {
        synchronized (world) {
            List<PeerHost> result = new ArrayList<>();
            for (Domain d : domains) {
                for (Port p : d.ports.values()) {
                    if (!p.cable.pluggedLocked()) {
                        continue;
                    }
                    EmulatedHost peer = p.cable.peerOf(this);
                    String id = p.xdomainId();
                    CableProfile c = p.cable.profile();
                    List<ServiceInfo> services = new ArrayList<>();
                    for (int i = 0; i < peer.servicesBeforeStream; i++) {
                        services.add(new ServiceInfo(id + "." + i, NETWORK_KEY, 1, 1, 1, 0));
                    }
                    services.add(new ServiceInfo(streamServiceOf(p), Usb4Stream.SERVICE_KEY, 1, 1, 1, 0));
                    result.add(new PeerHost(id, peer.name, "Hopwire emulator", peer.uuid(p.cable.domainOn(peer)),
                            c.speedGbpsPerLane(), c.speedGbpsPerLane(), c.lanes(), c.lanes(), true, services,
                            peer.announcedMaxHopId));
                }
            }
            return result;
        }
    }

    /** The USB4STREAM service device of the peer behind a port, exactly as the kernel names it. */
    private String streamServiceOf(Port p) {
        return p.xdomainId() + "." + p.cable.peerOf(this).servicesBeforeStream;
    }

    /**
     * The port a group is attached to, or null: only a group named exactly as the peer's stream service device
     * (lowercase hex, the peer's service index) attaches, and only while the cable is in.
     */
    private Port attachedPort(Group g) {
        if (g.domain >= domains.size() || g.route > Integer.MAX_VALUE) {
            return null;
        }
        Port p = domains.get((int) g.domain).ports.get((int) g.route);
        if (p == null || !p.cable.pluggedLocked() || !g.name.equals(streamServiceOf(p))) {
            return null;
        }
        return p;
    }

    // ---- ConfigFS: groups ---------------------------------------------------------------------------------------

    public boolean hasGroup(String service) {
        synchronized (world) {
            return groups.containsKey(service);
        }
    }

    public List<String> groupNames() {
        synchronized (world) {
            return List.copyOf(groups.keySet());
        }
    }

    public void mkdirGroup(String service) throws FabricException {
        synchronized (world) {
            long[] parsed = ServiceNames.parse(service);
            if (parsed == null) {
                throw Problems.invalidServiceName(service);
            }
            if (groups.containsKey(service)) {
                throw new StreamExistsException("service group " + service + " already exists");
            }
            groups.put(service, new Group(service, parsed[0], parsed[1]));
        }
        changed();
    }

    public void rmdirGroup(String service) throws FabricException {
        synchronized (world) {
            Group g = groups.get(service);
            if (g == null) {
                throw Problems.noSuchGroup(service);
            }
            if (!g.streams.isEmpty()) {
                throw Problems.groupNotEmpty(service);
            }
            groups.remove(service);
        }
        changed();
    }

    // ---- ConfigFS: streams --------------------------------------------------------------------------------------

    public List<String> streamNames(String service) throws FabricException {
        synchronized (world) {
            return List.copyOf(group(service).streams.keySet());
        }
    }

    public void mkdirStream(String service, String streamName) throws FabricException {
        synchronized (world) {
            Group g = group(service);
            if (streamName.isEmpty() || streamName.contains("/")) {
                throw Problems.invalidStreamName(streamName);
            }
            if (Usb4Stream.nameBytes(streamName) > Usb4Stream.MAX_STREAM_NAME_LENGTH) {
                throw Problems.nameTooLong(streamName);
            }
            if (g.streams.containsKey(streamName)) {
                throw Problems.streamExists(new StreamAddress(service, streamName));
            }
            Dir d = new Dir(g, streamName, lowestFreeIndex());
            g.streams.put(streamName, d);
            Port p = attachedPort(g);
            if (p != null) {
                attachStream(d, p);
                // A new stream makes the driver exchange properties with the peer: this host reads the peer's again.
                scheduleReread(p, this);
            }
        }
        changed();
    }

    public void rmdirStream(String service, String streamName) throws FabricException {
        synchronized (world) {
            Dir d = dir(service, streamName);
            d.group.streams.remove(streamName);
            d.removed = true;
            if (d.rings != null) {
                // Still open: it keeps its rings, HopIDs and index until the last close. Readers drain, then end.
                zombies.add(d);
                d.rings.rx.wake();
                d.rings.tx.wake();
            } else {
                releaseHopIds(d);
            }
            // Not withdrawn: the announcement outlives the directory.
            world.notifyAll();
        }
        changed();
    }

    public String readAttribute(String service, String streamName, String attribute) throws FabricException {
        synchronized (world) {
            Dir d = dir(service, streamName);
            return switch (attribute) {
                case ATTR_INDEX -> Integer.toString(d.index);
                case ATTR_IN_HOPID -> Integer.toString(d.in);
                case ATTR_OUT_HOPID -> Integer.toString(d.out);
                case ATTR_RING_SIZE -> Integer.toString(d.ringSize);
                case ATTR_THROTTLING -> Long.toString(d.throttlingNs);
                default -> throw new NoSuchStreamException("no attribute " + attribute + " in " + d.address);
            };
        }
    }

    public void writeAttribute(String service, String streamName, String attribute, String text)
            throws FabricException {
        synchronized (world) {
            Dir d = dir(service, streamName);
            switch (attribute) {
                case ATTR_INDEX -> throw Problems.readOnly(d.address, attribute);
                case ATTR_RING_SIZE -> {
                    long v = KernelNumbers.parse(d.address, attribute, text, false);
                    if (v < Usb4Stream.MIN_RING_SIZE || v > Usb4Stream.MAX_RING_SIZE) {
                        throw Problems.outOfRange(d.address, attribute, text.trim(), Usb4Stream.MIN_RING_SIZE,
                                Usb4Stream.MAX_RING_SIZE);
                    }
                    ensureClosed(d, attribute);
                    d.ringSize = (int) v;
                }
                case ATTR_THROTTLING -> {
                    long v = KernelNumbers.parse(d.address, attribute, text, false);
                    if (v < Usb4Stream.MIN_THROTTLING_NS || v > Usb4Stream.MAX_THROTTLING_NS) {
                        throw Problems.outOfRange(d.address, attribute, text.trim(), Usb4Stream.MIN_THROTTLING_NS,
                                Usb4Stream.MAX_THROTTLING_NS);
                    }
                    ensureClosed(d, attribute);
                    d.throttlingNs = v;
                }
                case ATTR_IN_HOPID, ATTR_OUT_HOPID -> writeHopId(d, attribute,
                        (int) KernelNumbers.parse(d.address, attribute, text, true));
                default -> throw new NoSuchStreamException("no attribute " + attribute + " in " + d.address);
            }
            // An open waiting for the stream to become valid looks again.
            world.notifyAll();
        }
        changed();
    }

    // ---- HopIDs -----------------------------------------------------------------------------------------------------

    private int maxIn() {
        return world.settings().maxHopId();
    }

    private int maxOut(Port p) {
        int peerMax = p.cable.peerOf(this).announcedMaxHopId;
        return peerMax > 0 ? peerMax : Usb4Stream.PEER_DEFAULT_MAX_HOPID;
    }

    private boolean free(Port p, boolean in, int hopId) {
        return !(in ? p.inIds : p.outIds).contains(hopId) && !reservedHopIds.contains(hopId);
    }

    /** The lowest free HopID at or above {@code from}, or -1. */
    private int lowestFree(Port p, boolean in, int from) {
        int max = in ? maxIn() : maxOut(p);
        for (int h = Math.max(from, Usb4Stream.MIN_HOPID); h <= max; h++) {
            if (free(p, in, h)) {
                return h;
            }
        }
        return -1;
    }

    /** Takes a specific HopID if it is in range and free. */
    private boolean tryHold(Port p, boolean in, int hopId) {
        int max = in ? maxIn() : maxOut(p);
        if (hopId < Usb4Stream.MIN_HOPID || hopId > max || !free(p, in, hopId)) {
            return false;
        }
        (in ? p.inIds : p.outIds).add(hopId);
        return true;
    }

    private void releaseOne(Dir d, boolean in) {
        if (d.heldOn != null && (in ? d.inHeld : d.outHeld)) {
            (in ? d.heldOn.inIds : d.heldOn.outIds).remove(in ? d.in : d.out);
        }
        if (in) {
            d.inHeld = false;
        } else {
            d.outHeld = false;
        }
    }

    /** Releases both HopIDs; the numbers stay in the attributes. */
    private void releaseHopIds(Dir d) {
        releaseOne(d, true);
        releaseOne(d, false);
        d.heldOn = null;
    }

    /**
     * The driver's attach: with both HopIDs unset or -1, the peer's announcement of the name is taken crossed over;
     * else (or with no announcement) -1 allocates and a specific value is taken if free. Failures are ignored, so a
     * HopID may read as a number it did not get.
     */
    private void attachStream(Dir d, Port p) {
        if (d.heldOn == p && d.valid()) {
            return;
        }
        releaseHopIds(d);
        d.heldOn = p;
        boolean unset = (d.in == 0 || d.in == Usb4Stream.HOPID_AUTO) && (d.out == 0 || d.out == Usb4Stream.HOPID_AUTO);
        int[] announced = unset ? p.received.get(d.name()) : null;
        if (announced != null) {
            d.in = announced[1];
            d.out = announced[0];
            d.inHeld = tryHold(p, true, d.in);
            d.outHeld = tryHold(p, false, d.out);
        } else {
            d.inHeld = attachOne(d, p, true);
            d.outHeld = attachOne(d, p, false);
        }
        if (d.valid()) {
            publish(p, d);
        }
    }

    private boolean attachOne(Dir d, Port p, boolean in) {
        int value = in ? d.in : d.out;
        if (value == 0) {
            return false;
        }
        if (value == Usb4Stream.HOPID_AUTO) {
            int h = lowestFree(p, in, Usb4Stream.MIN_HOPID);
            if (h < 0) {
                return false;
            }
            (in ? p.inIds : p.outIds).add(h);
            if (in) {
                d.in = h;
            } else {
                d.out = h;
            }
            return true;
        }
        return tryHold(p, in, value);
    }

    private void writeHopId(Dir d, String attribute, int v) throws FabricException {
        ensureClosed(d, attribute);
        boolean in = attribute.equals(ATTR_IN_HOPID);
        Port p = attachedPort(d.group);
        if (p == null) {
            // Not attached: stored exactly as written, checked at attach.
            releaseOne(d, in);
            setValue(d, in, v);
            return;
        }
        if (d.heldOn != p) {
            attachStream(d, p);
        }
        int max = in ? maxIn() : maxOut(p);
        if (v == Usb4Stream.HOPID_UNSET) {
            releaseOne(d, in);
            setValue(d, in, 0);
            withdraw(p, d.name());
            return;
        }
        if (v == Usb4Stream.HOPID_AUTO) {
            // Written again while one is held: that one is released and a new one allocated.
            releaseOne(d, in);
            int h = lowestFree(p, in, Usb4Stream.MIN_HOPID);
            if (h < 0) {
                setValue(d, in, 0);
                throw Problems.noFreeHopId(d.address, attribute, Usb4Stream.MIN_HOPID, max);
            }
            (in ? p.inIds : p.outIds).add(h);
            setValue(d, in, h);
            setHeld(d, in);
        } else {
            if (v < Usb4Stream.MIN_HOPID || v > max) {
                throw Problems.invalidHopId(d.address, attribute, Integer.toString(v), max);
            }
            // The kernel allocates the lowest free at or above the value and refuses anything but the value itself,
            // so a taken value (the stream's own included) is EBUSY, or ENOSPC when nothing above it is free.
            if (!free(p, in, v)) {
                if (lowestFree(p, in, v) < 0) {
                    throw Problems.noFreeHopId(d.address, attribute, v, max);
                }
                throw Problems.hopIdBusy(d.address, attribute, v);
            }
            releaseOne(d, in);
            (in ? p.inIds : p.outIds).add(v);
            setValue(d, in, v);
            setHeld(d, in);
        }
        if (d.valid()) {
            publish(p, d);
        }
    }

    private static void setValue(Dir d, boolean in, int v) {
        if (in) {
            d.in = v;
        } else {
            d.out = v;
        }
    }

    private static void setHeld(Dir d, boolean in) {
        if (in) {
            d.inHeld = true;
        } else {
            d.outHeld = true;
        }
    }

    private static void ensureClosed(Dir d, String attribute) throws FabricException {
        if (d.rings != null) {
            throw Problems.streamOpen(d.address, attribute);
        }
    }

    private List<Dir> allDirs() {
        List<Dir> all = new ArrayList<>(zombies);
        groups.values().forEach(g -> all.addAll(g.streams.values()));
        return all;
    }

    private int lowestFreeIndex() {
        Set<Integer> used = new HashSet<>();
        allDirs().forEach(d -> used.add(d.index));
        int i = 0;
        while (used.contains(i)) {
            i++;
        }
        return i;
    }

    private Group group(String service) throws FabricException {
        Group g = groups.get(service);
        if (g == null) {
            throw Problems.noSuchGroup(service);
        }
        return g;
    }

    private Dir dir(String service, String streamName) throws FabricException {
        Group g = groups.get(service);
        Dir d = g == null ? null : g.streams.get(streamName);
        if (d == null) {
            throw Problems.noSuchStream(new StreamAddress(service, streamName));
        }
        return d;
    }

    /** Every stream on this host as a program listing ConfigFS would see it. */
    public List<StreamInfo> streamInfos() {
        synchronized (world) {
            List<StreamInfo> result = new ArrayList<>();
            for (Group g : groups.values()) {
                boolean attached = attachedPort(g) != null;
                for (Dir d : g.streams.values()) {
                    result.add(new StreamInfo(d.address, d.index, d.in, d.out, d.ringSize, d.throttlingNs, attached,
                            d.rings != null));
                }
            }
            return result;
        }
    }

    // ---- announcements ----------------------------------------------------------------------------------------

    private void publish(Port p, Dir d) {
        int[] now = {d.in, d.out};
        int[] before = p.published.put(d.name(), now);
        if (before == null || before[0] != now[0] || before[1] != now[1]) {
            scheduleReread(p, p.cable.peerOf(this));
        }
    }

    private void withdraw(Port p, String streamName) {
        if (p.published.remove(streamName) != null) {
            scheduleReread(p, p.cable.peerOf(this));
        }
    }

    /**
     * A properties change between this host and the peer behind {@code p}, read by {@code reader}: it re-reads the
     * other host's properties after the send and re-read delays, and once more about a second later, each time
     * raising a change uevent on its service device.
     */
    private void scheduleReread(Port p, EmulatedHost reader) {
        EmulatedCable cable = p.cable;
        if (!cable.pluggedLocked()) {
            return;
        }
        long generation = cable.generationLocked();
        EmulatedWorld.AnnounceTiming t = world.settings().timing();
        Runnable read = () -> {
            EmulatedHost owner = cable.peerOf(reader);
            String service;
            synchronized (world) {
                if (!cable.pluggedLocked() || cable.generationLocked() != generation) {
                    return;
                }
                Port readerPort = reader.port(cable);
                Port ownerPort = owner.port(cable);
                Map<String, int[]> copy = new HashMap<>();
                ownerPort.published.forEach((k, v) -> copy.put(k, v.clone()));
                readerPort.received = copy;
                service = reader.streamServiceOf(readerPort);
            }
            reader.signal(new FabricEvent.ServiceChanged(service));
        };
        world.later(t.firstArrival(), read);
        world.later(t.lastArrival(), read);
    }

    // ---- the character device ------------------------------------------------------------------------------------

    /**
     * Opens a stream's device, as {@code open(2)} does. While no connection is attached it waits up to
     * {@code timeout} (zero: fails at once with ENXIO, as {@code O_NONBLOCK} does), and keeps waiting if the stream
     * then attaches with a HopID unset; with a connection and a HopID unset at the call it fails at once with
     * EINVAL. The first open takes a DMA ring pair (ENOMEM when none is left) and enables the paths (EIO when that
     * fails); later opens share the rings, even rings that died with an unplug and were never restarted.
     */
    public EmulatedChannel open(String service, String streamName, Duration timeout,
                                Consumer<EmulatedChannel> onClose) throws FabricException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        EmulatedChannel channel;
        synchronized (world) {
            Dir d = dir(service, streamName);
            boolean waited = false;
            Port p;
            while (true) {
                if (d.removed) {
                    throw Problems.linkDown(d.address, "the stream was removed while waiting to open it");
                }
                p = attachedPort(d.group);
                if (p != null && d.valid()) {
                    break;
                }
                if (p != null && !waited) {
                    throw Problems.hopIdUnset(d.address);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw p != null ? Problems.hopIdUnset(d.address) : Problems.peerNotConnected(d.address);
                }
                TimeUnit.NANOSECONDS.timedWait(world, left);
                waited = true;
            }
            Rings r = d.rings;
            if (r == null) {
                if (failNextPathEnable) {
                    failNextPathEnable = false;
                    throw Problems.pathsFailed(d.address);
                }
                if (p.domain.ringsInUse >= world.settings().dmaRings()) {
                    throw Problems.tooManyStreams(d.address);
                }
                EmulatedHost peer = p.cable.peerOf(this);
                Pipe tx = p.cable.pipeLocked(this, d.out, d.ringSize);
                Pipe rx = p.cable.pipeLocked(peer, d.in, d.ringSize);
                r = new Rings(d, tx, rx, p, p.cable.generationLocked());
                p.domain.ringsInUse++;
                d.rings = r;
                rx.readerOpened(d.ringSize);
                tx.writerOpened(d.ringSize);
            }
            r.opens++;
            channel = new EmulatedChannel(this, r, onClose);
        }
        changed();
        return channel;
    }

    /**
     * A channel closed. The last close of a live device sends CLOSE if the TX ring has a free frame, waits for the
     * reader up to the drain time (the caller blocks meanwhile, as in the driver) and cancels what is left, then frees
     * the rings; a removed stream lets go of its HopIDs and index only now.
     */
    void release(Rings r) {
        release(r, world.settings().closeDrain().toNanos(), true);
    }

    /**
     * As {@link #release(Rings)}, waiting at most {@code drainNs} for the reader, and sending no CLOSE unless {@code
     * mayClose} (a file's close already found the TX ring full, or cancelled its tail).
     */
    void release(Rings r, long drainNs, boolean mayClose) {
        long closeSequence = -1;
        synchronized (world) {
            r.opens--;
            if (r.opens > 0) {
                return;
            }
            if (r.liveLocked()) {
                closeSequence = r.tx.writerClosing(mayClose);
            }
            r.rx.readerClosed();
            r.dir.rings = null;
            r.port.domain.ringsInUse--;
            if (r.dir.removed) {
                zombies.remove(r.dir);
                releaseHopIds(r.dir);
            }
            world.notifyAll();
        }
        if (closeSequence >= 0) {
            r.tx.drainThenCancel(closeSequence, Math.max(0, drainNs));
        }
        changed();
    }

    /** The time a last close waits for the reader before it cancels what is left. */
    Duration closeDrain() {
        return world.settings().closeDrain();
    }

    /** Whether rings that lost their connection should hang rather than fail: the cable came back since. */
    boolean hung(Rings r) {
        synchronized (world) {
            return r.port.cable.pluggedLocked() && r.port.cable.generationLocked() != r.generation;
        }
    }

    /**
     * Damages the next {@code packets} DATA packets this host sends on a stream, which must be open: the driver
     * delivers packets the hardware marked damaged anyway, with only a kernel log warning.
     */
    public void damageNextPackets(String service, String streamName, int packets) throws FabricException {
        synchronized (world) {
            Dir d = dir(service, streamName);
            if (d.rings == null) {
                throw Problems.linkDown(d.address, "the stream is not open");
            }
            d.rings.tx.damage(packets);
        }
    }

    /**
     * Suspends and resumes this host: the rings of open streams stop (what was queued both ways is dropped, and no
     * CLOSE is sent) and start again, so every open byte stream has a hole; programs hear a {@link
     * FabricEvent.Resumed}.
     */
    public void suspendAndResume() {
        synchronized (world) {
            for (Dir d : allDirs()) {
                if (d.rings != null) {
                    d.rings.tx.dropQueued();
                    d.rings.rx.dropQueued();
                }
            }
        }
        signal(new FabricEvent.Resumed());
        changed();
    }
}
