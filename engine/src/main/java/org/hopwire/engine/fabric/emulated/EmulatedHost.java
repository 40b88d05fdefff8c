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
import java.util.function.Consumer;
import java.util.regex.Matcher;

import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.Problems;
import org.hopwire.engine.fabric.ServiceInfo;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.Usb4Stream;

/**
 * One emulated host and its {@code thunderbolt_stream} driver: ConfigFS groups and streams, HopID allocation,
 * announcements to peers, and the character devices.
 *
 * <p>Its methods are the driver's operations, at the level a program sees them: {@code mkdir}, {@code rmdir},
 * attribute reads and writes with their text values, and {@code open}. Each fails as the driver does, with a
 * {@link FabricException} carrying the errno. {@link EmulatedFabric} uses them, and so can a test that plays the
 * kernel under {@code KernelFabric}.
 */
public final class EmulatedHost {
    /** Emulated peers offer one service, USB4STREAM, as service 0. */
    static final int STREAM_SERVICE_INDEX = 0;
    private static final int DOMAIN = 0;

    private final EmulatedWorld world;
    private final String name;
    private final UUID uuid;

    // Guarded by the world's monitor.
    private final Map<String, Group> groups = new TreeMap<>();
    private final Map<Integer, EmulatedCable> cablesByRoute = new TreeMap<>();
    /** What the peer behind each route announces, as this host last received it: name to {in, out}. */
    private final Map<Integer, Map<String, int[]>> peerAnnouncements = new HashMap<>();
    private final Set<Integer> reservedHopIds = new TreeSet<>();
    private int nextRoute = 1;

    private final CopyOnWriteArrayList<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    private static final class Group {
        final String service;
        final int route;
        final int serviceIndex;
        final Map<String, Dir> streams = new TreeMap<>();

        Group(String service, int route, int serviceIndex) {
            this.service = service;
            this.route = route;
            this.serviceIndex = serviceIndex;
        }
    }

    private static final class Dir {
        final StreamAddress address;
        final Group group;
        final int index;
        int inHopId;
        int outHopId;
        int ringSize = Usb4Stream.DEFAULT_RING_SIZE;
        long throttlingNs = Usb4Stream.DEFAULT_THROTTLING_NS;
        boolean removed;
        /** The rings while the device is open. */
        Rings rings;

        Dir(Group group, String name, int index) {
            this.group = group;
            this.address = new StreamAddress(group.service, name);
            this.index = index;
        }
    }

    /** What the first open allocates and the last close frees: the TX and RX rings on one connection. */
    static final class Rings {
        final Pipe tx;
        final Pipe rx;
        final StreamAddress address;
        final EmulatedCable cable;
        final long generation;
        int opens;
        volatile String deadReason;

        Rings(StreamAddress address, Pipe tx, Pipe rx, EmulatedCable cable, long generation) {
            this.address = address;
            this.tx = tx;
            this.rx = rx;
            this.cable = cable;
            this.generation = generation;
        }

        /** Whether the connection these rings were made on is still there; caller holds the world's monitor. */
        boolean connectedLocked() {
            return cable.pluggedLocked() && cable.generationLocked() == generation && tx.brokenReason() == null;
        }
    }

    EmulatedHost(EmulatedWorld world, String name, UUID uuid) {
        this.world = world;
        this.name = name;
        this.uuid = uuid;
    }

    EmulatedWorld world() {
        return world;
    }

    public String name() {
        return name;
    }

    public UUID uuid() {
        return uuid;
    }

    @Override
    public String toString() {
        return "emulated host " + name;
    }

    /** Marks HopIDs as held by someone else on every route, as {@code thunderbolt_net} would hold them. */
    public void reserveHopIds(int... hopIds) {
        synchronized (world) {
            for (int h : hopIds) {
                reservedHopIds.add(h);
            }
        }
    }

    /** Runs {@code listener} on the emulator thread after any change this host's programs could see. */
    public void addChangeListener(Runnable listener) {
        changeListeners.add(listener);
    }

    public void removeChangeListener(Runnable listener) {
        changeListeners.remove(listener);
    }

    private void changed() {
        for (Runnable l : changeListeners) {
            world.later(Duration.ZERO, l);
        }
    }

    // ---- topology ----------------------------------------------------------------------------------------------

    int nextRoute() {
        int r = nextRoute;
        nextRoute += 2;
        return r;
    }

    void attach(EmulatedCable cable) {
        cablesByRoute.put(cable.routeOn(this), cable);
    }

    /** A cable of this host was plugged or unplugged. */
    void cableChanged(EmulatedCable cable) {
        synchronized (world) {
            int route = cable.routeOn(this);
            if (!cable.pluggedLocked()) {
                peerAnnouncements.remove(route);
            } else {
                scheduleAnnouncement(route);
            }
        }
        changed();
    }

    /** The hosts on this host's cables, as sysfs would show them. */
    public List<PeerHost> xdomains() {
        synchronized (world) {
            List<PeerHost> result = new ArrayList<>();
            for (var e : cablesByRoute.entrySet()) {
                EmulatedCable cable = e.getValue();
                if (!cable.pluggedLocked()) {
                    continue;
                }
                EmulatedHost peer = cable.peerOf(this);
                String id = xdomainId(e.getKey());
                CableProfile p = cable.profile();
                ServiceInfo service = new ServiceInfo(id + "." + STREAM_SERVICE_INDEX, Usb4Stream.SERVICE_KEY, 1, 1, 1, 0);
                result.add(new PeerHost(id, peer.name, "Hopwire emulator", peer.uuid, p.speedGbpsPerLane(),
                        p.speedGbpsPerLane(), p.lanes(), p.lanes(), true, List.of(service)));
            }
            return result;
        }
    }

    private static String xdomainId(int route) {
        return DOMAIN + "-" + Integer.toHexString(route);
    }

    /** The plugged cable a group attaches to, or null. Caller holds the world's monitor. */
    private EmulatedCable attachedCable(Group g) {
        if (g.serviceIndex != STREAM_SERVICE_INDEX) {
            return null;
        }
        EmulatedCable c = cablesByRoute.get(g.route);
        return c != null && c.pluggedLocked() ? c : null;
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
            Matcher m = Usb4Stream.SERVICE_NAME.matcher(service);
            if (!m.matches() || Integer.parseInt(m.group(1)) != DOMAIN) {
                throw Problems.invalidServiceName(service);
            }
            if (groups.containsKey(service)) {
                throw new org.hopwire.engine.fabric.StreamExistsException("service group " + service
                        + " already exists");
            }
            long route = Long.parseLong(m.group(2), 16);
            int serviceIndex = Integer.parseInt(m.group(3));
            groups.put(service, new Group(service, (int) Math.min(route, Integer.MAX_VALUE), serviceIndex));
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
            if (streamName.length() > Usb4Stream.MAX_STREAM_NAME_LENGTH) {
                throw Problems.nameTooLong(streamName);
            }
            if (g.streams.containsKey(streamName)) {
                throw Problems.streamExists(new StreamAddress(service, streamName));
            }
            Dir d = new Dir(g, streamName, lowestFreeIndex());
            // The only moment the driver looks at the peer's announcement: take its HopIDs crossed over.
            int[] announced = peerAnnouncements.getOrDefault(g.route, Map.of()).get(streamName);
            if (announced != null && !usedIn(g.route).contains(announced[1])
                    && !usedOut(g.route).contains(announced[0])) {
                d.inHopId = announced[1];
                d.outHopId = announced[0];
            }
            g.streams.put(streamName, d);
            if (d.inHopId != 0) {
                scheduleAnnouncement(g.route);
            }
        }
        changed();
    }

    public void rmdirStream(String service, String streamName) throws FabricException {
        synchronized (world) {
            Dir d = dir(service, streamName);
            d.group.streams.remove(streamName);
            d.removed = true;
            Rings r = d.rings;
            if (r != null) {
                r.deadReason = "the stream was removed";
                r.tx.wake();
                r.rx.wake();
                // The device is torn down as by a last close: the peer reads EOF after the data before it.
                if (r.opens > 0 && r.connectedLocked()) {
                    r.tx.writerClosed();
                    r.rx.wake();
                }
                d.rings = null;
            }
            // The RX ring goes with the stream: what waited in it is gone, and a stream made again starts empty.
            EmulatedCable cable = cablesByRoute.get(d.group.route);
            if (cable != null && d.inHopId != 0) {
                cable.discardPipeLocked(cable.peerOf(this), d.inHopId);
            }
            scheduleAnnouncement(d.group.route);
            world.notifyAll();
        }
        changed();
    }

    public String readAttribute(String service, String streamName, String attribute) throws FabricException {
        synchronized (world) {
            Dir d = dir(service, streamName);
            return switch (attribute) {
                case ATTR_INDEX -> Integer.toString(d.index);
                case ATTR_IN_HOPID -> Integer.toString(d.inHopId);
                case ATTR_OUT_HOPID -> Integer.toString(d.outHopId);
                case ATTR_RING_SIZE -> Integer.toString(d.ringSize);
                case ATTR_THROTTLING -> Long.toString(d.throttlingNs);
                default -> throw new org.hopwire.engine.fabric.NoSuchStreamException("no attribute " + attribute
                        + " in " + d.address);
            };
        }
    }

    public void writeAttribute(String service, String streamName, String attribute, String text)
            throws FabricException {
        synchronized (world) {
            Dir d = dir(service, streamName);
            String value = text.trim();
            switch (attribute) {
                case ATTR_INDEX -> throw Problems.readOnly(d.address, attribute);
                case ATTR_RING_SIZE -> {
                    long v = parse(d, attribute, value, Usb4Stream.MIN_RING_SIZE, Usb4Stream.MAX_RING_SIZE);
                    ensureClosed(d, attribute);
                    d.ringSize = (int) v;
                }
                case ATTR_THROTTLING -> {
                    long v = parse(d, attribute, value, Usb4Stream.MIN_THROTTLING_NS, Usb4Stream.MAX_THROTTLING_NS);
                    ensureClosed(d, attribute);
                    d.throttlingNs = v;
                }
                case ATTR_IN_HOPID, ATTR_OUT_HOPID -> writeHopId(d, attribute, value);
                default -> throw new org.hopwire.engine.fabric.NoSuchStreamException("no attribute " + attribute
                        + " in " + d.address);
            }
        }
        changed();
    }

    private void writeHopId(Dir d, String attribute, String value) throws FabricException {
        int max = world.settings().maxHopId();
        int v;
        try {
            v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw Problems.invalidHopId(d.address, attribute, value, max);
        }
        if (v != Usb4Stream.HOPID_AUTO && v != Usb4Stream.HOPID_UNSET && (v < Usb4Stream.MIN_HOPID || v > max)) {
            throw Problems.invalidHopId(d.address, attribute, value, max);
        }
        ensureClosed(d, attribute);
        boolean in = attribute.equals(ATTR_IN_HOPID);
        int route = d.group.route;
        int current = in ? d.inHopId : d.outHopId;
        int chosen;
        if (v == Usb4Stream.HOPID_UNSET) {
            chosen = 0;
        } else if (v == Usb4Stream.HOPID_AUTO) {
            chosen = allocate(route, in, current, d, attribute);
        } else {
            Set<Integer> used = in ? usedIn(route) : usedOut(route);
            if (v != current && used.contains(v)) {
                throw Problems.hopIdBusy(d.address, attribute, v);
            }
            chosen = v;
        }
        if (in) {
            d.inHopId = chosen;
        } else {
            d.outHopId = chosen;
        }
        scheduleAnnouncement(route);
    }

    private int allocate(int route, boolean in, int current, Dir d, String attribute) throws FabricException {
        if (current != 0) {
            return current;
        }
        Set<Integer> taken = new HashSet<>(in ? usedIn(route) : usedOut(route));
        EmulatedCable c = cablesByRoute.get(route);
        if (c != null) {
            // Our in-HopID is the peer's out-HopID on the same path, so it must be free there too.
            EmulatedHost peer = c.peerOf(this);
            int peerRoute = c.routeOn(peer);
            taken.addAll(in ? peer.usedOut(peerRoute) : peer.usedIn(peerRoute));
        }
        int max = world.settings().maxHopId();
        for (int h = Usb4Stream.MIN_HOPID; h <= max; h++) {
            if (!taken.contains(h)) {
                return h;
            }
        }
        throw Problems.noFreeHopId(d.address, attribute, max);
    }

    private Set<Integer> usedIn(int route) {
        Set<Integer> used = new HashSet<>(reservedHopIds);
        forStreamsOn(route, d -> used.add(d.inHopId));
        return used;
    }

    private Set<Integer> usedOut(int route) {
        Set<Integer> used = new HashSet<>(reservedHopIds);
        forStreamsOn(route, d -> used.add(d.outHopId));
        return used;
    }

    private void forStreamsOn(int route, Consumer<Dir> action) {
        for (Group g : groups.values()) {
            if (g.route == route) {
                g.streams.values().forEach(action);
            }
        }
    }

    private static long parse(Dir d, String attribute, String value, long min, long max) throws FabricException {
        try {
            long v = Long.parseLong(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Reported below, as the driver does: EINVAL.
        }
        throw Problems.outOfRange(d.address, attribute, value, min, max);
    }

    private static void ensureClosed(Dir d, String attribute) throws FabricException {
        if (d.rings != null && d.rings.opens > 0) {
            throw Problems.streamOpen(d.address, attribute);
        }
    }

    private int lowestFreeIndex() {
        Set<Integer> used = new HashSet<>();
        groups.values().forEach(g -> g.streams.values().forEach(d -> used.add(d.index)));
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
                boolean attached = attachedCable(g) != null;
                for (Dir d : g.streams.values()) {
                    boolean open = d.rings != null && d.rings.opens > 0;
                    result.add(new StreamInfo(d.address, d.index, d.inHopId, d.outHopId, d.ringSize, d.throttlingNs,
                            attached, open));
                }
            }
            return result;
        }
    }

    // ---- announcements ----------------------------------------------------------------------------------------

    /** The streams this host announces towards a route: those with both HopIDs set. */
    private Map<String, int[]> announcementsFor(int route) {
        Map<String, int[]> result = new LinkedHashMap<>();
        for (Group g : groups.values()) {
            if (g.route == route && g.serviceIndex == STREAM_SERVICE_INDEX) {
                for (Dir d : g.streams.values()) {
                    if (d.inHopId >= Usb4Stream.MIN_HOPID && d.outHopId >= Usb4Stream.MIN_HOPID) {
                        result.put(d.address.name(), new int[] {d.inHopId, d.outHopId});
                    }
                }
            }
        }
        return result;
    }

    /** After the announce delay, the peer on {@code route} receives this host's properties as they are then. */
    private void scheduleAnnouncement(int route) {
        EmulatedCable c = cablesByRoute.get(route);
        if (c == null || !c.pluggedLocked()) {
            return;
        }
        long generation = c.generationLocked();
        world.later(world.settings().announceDelay(), () -> {
            EmulatedHost peer = c.peerOf(this);
            synchronized (world) {
                if (!c.pluggedLocked() || c.generationLocked() != generation) {
                    return;
                }
                peer.peerAnnouncements.put(c.routeOn(peer), announcementsFor(route));
            }
        });
    }

    // ---- the character device ------------------------------------------------------------------------------------

    /**
     * Opens a stream's device. Waits up to {@code timeout} while its service is not attached (zero: fails at once
     * with ENXIO, as {@code O_NONBLOCK} does); fails at once with EINVAL if a HopID is unset.
     */
    public EmulatedChannel open(String service, String streamName, Duration timeout,
                                Consumer<EmulatedChannel> onClose) throws FabricException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (world) {
            Dir d = dir(service, streamName);
            EmulatedCable cable;
            while ((cable = attachedCable(d.group)) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw Problems.peerNotConnected(d.address);
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(world, left);
                if (d.removed) {
                    throw Problems.linkDown(d.address, "the stream was removed while waiting to open it");
                }
            }
            if (d.inHopId == 0 || d.outHopId == 0) {
                throw Problems.hopIdUnset(d.address);
            }
            Rings r = d.rings;
            if (r == null || r.deadReason != null || r.tx.brokenReason() != null) {
                EmulatedHost peer = cable.peerOf(this);
                Pipe tx = cable.pipeLocked(this, d.outHopId, d.ringSize);
                Pipe rx = cable.pipeLocked(peer, d.inHopId, d.ringSize);
                r = new Rings(d.address, tx, rx, cable, cable.generationLocked());
                d.rings = r;
                tx.writerOpened(d.ringSize);
            }
            r.opens++;
            EmulatedChannel channel = new EmulatedChannel(this, r, onClose);
            changed();
            return channel;
        }
    }

    /** A channel closed: the last close of a live device sends CLOSE to the peer and frees the rings. */
    void release(Rings r) {
        synchronized (world) {
            r.opens--;
            if (r.opens == 0) {
                // Not after an unplug, even one whose breaking of the pipes is still under way: no CLOSE then.
                if (r.deadReason == null && r.connectedLocked()) {
                    r.tx.writerClosed();
                }
                // The peer's writer, blocked on our full RX ring, must learn that we closed.
                r.rx.wake();
                for (Group g : groups.values()) {
                    for (Dir d : g.streams.values()) {
                        if (d.rings == r) {
                            d.rings = null;
                        }
                    }
                }
            }
        }
        changed();
    }
}
