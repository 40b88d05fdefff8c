package org.hopwire.engine.fabric;

import java.lang.System.Logger.Level;
import java.nio.channels.Channel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What both fabrics share: the ConfigFS sequence that creates a stream and undoes itself on failure, the record of
 * what this fabric created (removed again at close), and change events computed from snapshots.
 *
 * <p>Subclasses supply the driver's primitive operations, each throwing the typed {@link FabricException} the
 * driver's errno stands for.
 */
public abstract class AbstractFabric implements Fabric {
    private static final System.Logger LOG = System.getLogger(AbstractFabric.class.getName());

    public static final String ATTR_INDEX = "index";
    public static final String ATTR_IN_HOPID = "in_hopid";
    public static final String ATTR_OUT_HOPID = "out_hopid";
    public static final String ATTR_RING_SIZE = "ring_size";
    public static final String ATTR_THROTTLING = "throttling";

    private final Object configLock = new Object();
    private final Set<StreamAddress> createdStreams = new LinkedHashSet<>();
    private final Set<String> createdGroups = new LinkedHashSet<>();
    private final Set<Channel> openChannels = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final CopyOnWriteArrayList<FabricListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService eventThread;
    private final Object snapshotLock = new Object();
    private Map<String, PeerHost> lastPeers = Map.of();
    private Map<StreamAddress, StreamInfo> lastStreams = Map.of();
    private volatile boolean closed;

    protected AbstractFabric(String threadName) {
        this.eventThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    // ---- the driver's primitives -------------------------------------------------------------------------------

    /** Whether the service group directory exists. */
    protected abstract boolean groupExists(String service) throws FabricException;

    /** {@code mkdir <configfs>/<service>}. */
    protected abstract void mkdirGroup(String service) throws FabricException;

    /** {@code rmdir <configfs>/<service>}. */
    protected abstract void rmdirGroup(String service) throws FabricException;

    /** {@code mkdir <configfs>/<service>/<name>}. */
    protected abstract void mkdirStream(StreamAddress address) throws FabricException;

    /** {@code rmdir <configfs>/<service>/<name>}. */
    protected abstract void rmdirStream(StreamAddress address) throws FabricException;

    /** Writes one stream attribute. */
    protected abstract void writeAttribute(StreamAddress address, String attribute, String value)
            throws FabricException;

    // ---- creating and removing ---------------------------------------------------------------------------------

    @Override
    public StreamInfo createStream(String service, StreamSpec spec) throws FabricException {
        ensureOpen();
        StreamAddress address = new StreamAddress(service, spec.name());
        synchronized (configLock) {
            boolean madeGroup = false;
            if (!groupExists(service)) {
                try {
                    mkdirGroup(service);
                    madeGroup = true;
                } catch (StreamExistsException raced) {
                    // Another program made it between our look and our mkdir: use it, but it is not ours to remove.
                }
            }
            try {
                mkdirStream(address);
            } catch (FabricException e) {
                if (madeGroup) {
                    quietly(() -> rmdirGroup(service), "remove service group " + service);
                }
                throw e;
            }
            try {
                writeAttribute(address, ATTR_RING_SIZE, Integer.toString(spec.ringSize()));
                writeAttribute(address, ATTR_THROTTLING, Long.toString(spec.throttlingNs()));
                if (spec.inHopId() != Usb4Stream.HOPID_UNSET) {
                    writeAttribute(address, ATTR_IN_HOPID, Integer.toString(spec.inHopId()));
                }
                if (spec.outHopId() != Usb4Stream.HOPID_UNSET) {
                    writeAttribute(address, ATTR_OUT_HOPID, Integer.toString(spec.outHopId()));
                }
            } catch (FabricException e) {
                quietly(() -> withdrawAndRmdir(address), "remove stream " + address);
                if (madeGroup) {
                    quietly(() -> rmdirGroup(service), "remove service group " + service);
                }
                throw e;
            }
            createdStreams.add(address);
            if (madeGroup) {
                createdGroups.add(service);
            }
        }
        refresh();
        return stream(address).orElseThrow(() -> Problems.noSuchStream(address));
    }

    @Override
    public void removeStream(StreamAddress address) throws FabricException {
        ensureOpen();
        closeChannels(address);
        synchronized (configLock) {
            withdrawAndRmdir(address);
            createdStreams.remove(address);
            removeGroupIfOursAndEmpty(address.service());
        }
        refresh();
    }

    /**
     * Writes 0 to both HopIDs, which withdraws the stream's announcement, then removes its directory. If another
     * program holds the device open the HopIDs cannot change (EBUSY): the directory goes anyway, and the
     * announcement stays until that program closes and the peer leaves.
     */
    private void withdrawAndRmdir(StreamAddress address) throws FabricException {
        for (String attribute : new String[] {ATTR_IN_HOPID, ATTR_OUT_HOPID}) {
            try {
                writeAttribute(address, attribute, Integer.toString(Usb4Stream.HOPID_UNSET));
            } catch (StreamInUseException e) {
                LOG.log(Level.WARNING, "cannot withdraw the announcement of " + address + ": " + e.getMessage());
            }
        }
        rmdirStream(address);
    }

    /** Closes this fabric's channels on a stream, all at once: a last close can take the driver half a second. */
    private void closeChannels(StreamAddress address) {
        List<Channel> mine = new ArrayList<>();
        for (Channel c : openChannels) {
            if (c instanceof StreamChannel sc && sc.address().equals(address)) {
                mine.add(c);
            }
        }
        closeAll(mine);
    }

    /** Closes channels in parallel and waits for all. */
    protected static void closeAll(List<? extends Channel> channels) {
        if (channels.isEmpty()) {
            return;
        }
        List<Thread> closers = new ArrayList<>();
        for (Channel c : channels) {
            Thread t = new Thread(() -> quietly(c::close, "close " + c), "hopwire-close");
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void removeGroupIfOursAndEmpty(String service) throws FabricException {
        if (!createdGroups.contains(service)) {
            return;
        }
        boolean empty = streams().stream().noneMatch(s -> s.address().service().equals(service));
        if (empty) {
            rmdirGroup(service);
            createdGroups.remove(service);
        }
    }

    @Override
    public StreamInfo setHopIds(StreamAddress address, int inHopId, int outHopId) throws FabricException {
        return write(address, ATTR_IN_HOPID, Integer.toString(inHopId), ATTR_OUT_HOPID, Integer.toString(outHopId));
    }

    @Override
    public StreamInfo setRingSize(StreamAddress address, int frames) throws FabricException {
        return write(address, ATTR_RING_SIZE, Integer.toString(frames));
    }

    @Override
    public StreamInfo setThrottling(StreamAddress address, long throttlingNs) throws FabricException {
        return write(address, ATTR_THROTTLING, Long.toString(throttlingNs));
    }

    /** Writes attribute/value pairs in order and returns the stream as the driver then shows it. */
    private StreamInfo write(StreamAddress address, String... attributesAndValues) throws FabricException {
        ensureOpen();
        synchronized (configLock) {
            for (int i = 0; i < attributesAndValues.length; i += 2) {
                writeAttribute(address, attributesAndValues[i], attributesAndValues[i + 1]);
            }
        }
        return current(address);
    }

    private StreamInfo current(StreamAddress address) throws FabricException {
        return stream(address).orElseThrow(() -> Problems.noSuchStream(address));
    }

    // ---- channels ----------------------------------------------------------------------------------------------

    /** Records a channel this fabric opened, so {@link #close()} can close it; returns it. */
    protected <C extends StreamChannel> C track(C channel) {
        openChannels.add(channel);
        return channel;
    }

    /** Forgets a channel that closed itself. */
    protected void untrack(Channel channel) {
        openChannels.remove(channel);
    }

    /** Whether this fabric holds an open channel on the stream. */
    protected boolean openHere(StreamAddress address) {
        for (Channel c : openChannels) {
            if (c instanceof StreamChannel sc && sc.address().equals(address) && c.isOpen()) {
                return true;
            }
        }
        return false;
    }

    // ---- events ------------------------------------------------------------------------------------------------

    @Override
    public Subscription addListener(FabricListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Compares the fabric's state with the last look and tells listeners what changed. Called after this fabric's
     * own changes and whenever the subclass learns of outside ones.
     */
    protected void refresh() {
        if (closed) {
            return;
        }
        List<FabricEvent> events = new ArrayList<>();
        synchronized (snapshotLock) {
            Map<String, PeerHost> peers = new LinkedHashMap<>();
            Map<StreamAddress, StreamInfo> streams = new LinkedHashMap<>();
            try {
                for (PeerHost p : peers()) {
                    peers.put(p.id(), p);
                }
                for (StreamInfo s : streams()) {
                    streams.put(s.address(), s);
                }
            } catch (FabricException e) {
                LOG.log(Level.DEBUG, "cannot look at the fabric now: {0}", e.getMessage());
                return;
            }
            // Removals before additions: a peer that came back under the same id reads as gone, then there.
            lastStreams.forEach((a, s) -> {
                if (!streams.containsKey(a)) {
                    events.add(new FabricEvent.StreamRemoved(s));
                }
            });
            lastPeers.forEach((id, p) -> {
                PeerHost now = peers.get(id);
                if (now == null || !now.uuid().equals(p.uuid())) {
                    events.add(new FabricEvent.PeerDisconnected(p));
                }
            });
            peers.forEach((id, p) -> {
                PeerHost before = lastPeers.get(id);
                if (before == null || !before.uuid().equals(p.uuid())) {
                    events.add(new FabricEvent.PeerConnected(p));
                }
            });
            streams.forEach((a, s) -> {
                if (!lastStreams.containsKey(a)) {
                    events.add(new FabricEvent.StreamCreated(s));
                }
            });
            lastPeers = peers;
            lastStreams = streams;
            if (!events.isEmpty() && !listeners.isEmpty()) {
                // Queued while holding the lock, so listeners see changes in the order they were found.
                eventThread.execute(() -> deliver(events));
            }
        }
    }

    /** Tells listeners of something the fabric learnt other than by looking (a uevent, a resume). */
    protected void emit(FabricEvent event) {
        if (closed) {
            return;
        }
        try {
            eventThread.execute(() -> deliver(List.of(event)));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closing: nobody to tell
        }
    }

    private void deliver(List<FabricEvent> events) {
        for (FabricEvent e : events) {
            for (FabricListener l : listeners) {
                try {
                    l.onEvent(e);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "a fabric listener failed on " + e, ex);
                }
            }
        }
    }

    // ---- closing -----------------------------------------------------------------------------------------------

    protected final void ensureOpen() throws FabricException {
        if (closed) {
            throw new FabricException(Errno.EIO, "this fabric is closed");
        }
    }

    protected final boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closeAll(List.copyOf(openChannels));
        synchronized (configLock) {
            for (StreamAddress a : List.copyOf(createdStreams)) {
                quietly(() -> withdrawAndRmdir(a), "remove stream " + a);
            }
            createdStreams.clear();
            for (String g : List.copyOf(createdGroups)) {
                quietly(() -> rmdirGroup(g), "remove service group " + g);
            }
            createdGroups.clear();
        }
        refresh();
        closed = true;
        eventThread.shutdown();
        try {
            eventThread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onClose();
    }

    /** Stops the subclass's own threads; called once, last. */
    protected void onClose() {
    }

    /** An action that may fail without failing its caller. */
    @FunctionalInterface
    protected interface Action {
        void run() throws Exception;
    }

    protected static void quietly(Action action, String what) {
        try {
            action.run();
        } catch (NoSuchStreamException gone) {
            // Already gone: nothing to undo.
        } catch (Exception e) {
            LOG.log(Level.WARNING, "could not " + what + ": " + e.getMessage());
        }
    }
}
