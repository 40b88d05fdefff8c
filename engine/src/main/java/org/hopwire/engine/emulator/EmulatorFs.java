package org.hopwire.engine.emulator;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.hopwire.engine.emulator.fuse.FuseError;
import org.hopwire.engine.emulator.fuse.FuseFile;
import org.hopwire.engine.emulator.fuse.FuseFs;
import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.emulated.EmulatedCable;
import org.hopwire.engine.fabric.emulated.EmulatedChannel;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.HostFiles;

/**
 * The emulated hosts as files, the way the kernel shows a real one: {@code /<host>/sys/bus/thunderbolt/devices},
 * {@code /<host>/sys/kernel/config/thunderbolt/stream} (mkdir, rmdir and attribute writes go to the emulated driver
 * and fail with its errno), {@code /<host>/dev/tbstreamN} (open, read, write, poll and close as on the driver's
 * character device) and {@code /cables/<a>-<b>/plugged} (write 0 or 1 to pull or plug the cable).
 *
 * <p>Modes are the kernel's: sysfs is readable by all, ConfigFS writable by root only, a device node is 0600 root
 * when {@code mkdir} makes it; with a device group, the node gets {@code 0660} and that group a moment later, as
 * Hopwire's udev rule does. Root may {@code chmod}/{@code chown} a node as on a real one.
 */
public final class EmulatorFs implements FuseFs {
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;
    private static final int O_NONBLOCK = 0x800;
    private static final String CABLES = "cables";
    private static final String PLUGGED = "plugged";
    /** How long after a node appears udev gives it its group and mode. */
    static final Duration UDEV_DELAY = Duration.ofMillis(100);
    private static final Duration FOREVER = Duration.ofDays(365 * 100L);

    /** One emulated host's files. */
    private static final class HostView {
        final EmulatedHost host;
        /** Counts the host's changes; a snapshot is good only for the count it was made at. */
        final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
        volatile Cached cached;
        final Map<String, Node> nodes = new ConcurrentHashMap<>();
        /** Device files open now, by stream ("service/name"); notified when one is let go. */
        final Map<String, java.util.Set<DeviceFile>> open = new ConcurrentHashMap<>();

        HostView(EmulatedHost host) {
            this.host = host;
        }

        void changed() {
            changes.incrementAndGet();
        }
    }

    /** A device node's metadata, as udev and chmod leave it. */
    private static final class Node {
        final long bornNs = System.nanoTime();
        volatile Integer mode;
        volatile Integer uid;
        volatile Integer gid;
    }

    private final Map<String, HostView> hosts = new ConcurrentHashMap<>();
    private final Map<String, EmulatedCable> cables;
    private final Optional<Integer> deviceGroup;
    /** Who owns ConfigFS, the device nodes (after udev) and the cables' files instead of root, if anyone. */
    private final int owner;
    /** Wakes pollers when a packet on a throttled cable lands. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hopwire-emulator-poll");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param hosts       by name, as they appear at the top of the mount
     * @param cables      by name ({@code alpha-beta}), under {@code /cables}
     * @param deviceGroup the gid device nodes get a moment after they appear (mode 0660), as a udev rule gives them;
     *                    empty to leave them 0600 root as the driver makes them
     */
    public EmulatorFs(Map<String, EmulatedHost> hosts, Map<String, EmulatedCable> cables,
                      Optional<Integer> deviceGroup) {
        this(hosts, cables, deviceGroup, Optional.empty());
    }

    /**
     * As above; {@code user}, when given, owns ConfigFS, the cables' files and (a moment after they appear) the
     * device nodes, so that user's Hopwire runs without root, as the helper and udev's uaccess tag allow on a real
     * machine.
     */
    public EmulatorFs(Map<String, EmulatedHost> hosts, Map<String, EmulatedCable> cables,
                      Optional<Integer> deviceGroup, Optional<Integer> user) {
        this.owner = user.orElse(0);
        hosts.forEach((name, h) -> {
            HostView v = new HostView(h);
            h.addChangeListener(v::changed);
            this.hosts.put(name, v);
        });
        this.cables = Map.copyOf(cables);
        this.deviceGroup = deviceGroup;
    }

    /** Stops the poll timer. */
    public void close() {
        timer.shutdownNow();
    }

    // ---- paths --------------------------------------------------------------------------------------------------

    /** A path split into its host (or "cables") and the rest, relative ("" for the host's top). */
    private record Where(String top, String rel) {
        static Where of(String path) {
            String p = path.startsWith("/") ? path.substring(1) : path;
            int slash = p.indexOf('/');
            return slash < 0 ? new Where(p, "") : new Where(p.substring(0, slash), p.substring(slash + 1));
        }
    }

    private static FuseError noEntry(String path) {
        return new FuseError(Errno.ENOENT.number(), path + " does not exist");
    }

    private HostView view(Where w, String path) throws FuseError {
        HostView v = hosts.get(w.top);
        if (v == null) {
            throw noEntry(path);
        }
        return v;
    }

    /** A snapshot and the change count it shows. */
    private record Cached(long changes, HostFiles.Snapshot snapshot) {
    }

    /**
     * The host's files now: the cached snapshot if nothing changed since it was made, else a new one. One made while
     * a change happened is returned to its caller but not kept, so a stale view never outlives the change.
     */
    private static HostFiles.Snapshot snapshot(HostView v) {
        long now = v.changes.get();
        Cached c = v.cached;
        if (c != null && c.changes() == now) {
            return c.snapshot();
        }
        HostFiles.Snapshot s = HostFiles.of(v.host);
        for (String d : s.devices()) {
            v.nodes.computeIfAbsent(d, k -> new Node());
        }
        if (v.changes.get() == now) {
            v.cached = new Cached(now, s);
            v.nodes.keySet().retainAll(s.devices()); // only on a snapshot that is current
        }
        return s;
    }

    private static boolean isDevice(HostFiles.Snapshot s, String rel) {
        return rel.startsWith(HostFiles.DEV + "/") && s.devices().contains(rel.substring(HostFiles.DEV.length() + 1));
    }

    private static boolean isConfigFs(String rel) {
        return rel.startsWith(HostFiles.CONFIGFS_STREAM + "/");
    }

    /** ConfigFS attributes but {@code index} may be written; nothing in sysfs may. */
    private static boolean writable(String rel) {
        return isConfigFs(rel) && !rel.endsWith("/index");
    }

    // ---- FuseFs -------------------------------------------------------------------------------------------------

    @Override
    public Attr stat(String path) throws FuseError {
        if (path.equals("/")) {
            return new Attr(S_IFDIR | 0755, 0, 0, 0);
        }
        Where w = Where.of(path);
        if (w.top.equals(CABLES)) {
            if (w.rel.isEmpty()) {
                return new Attr(S_IFDIR | 0755, 0, 0, 0);
            }
            String[] parts = w.rel.split("/");
            if (cables.containsKey(parts[0])) {
                if (parts.length == 1) {
                    return new Attr(S_IFDIR | 0755, 0, 0, 0);
                }
                if (parts.length == 2 && parts[1].equals(PLUGGED)) {
                    return new Attr(S_IFREG | 0644, owner, 0, 4096);
                }
            }
            throw noEntry(path);
        }
        HostView v = view(w, path);
        if (w.rel.isEmpty()) {
            return new Attr(S_IFDIR | 0755, 0, 0, 0);
        }
        HostFiles.Snapshot s = snapshot(v);
        int uid = w.rel.equals(HostFiles.CONFIGFS_STREAM) || isConfigFs(w.rel) ? owner : 0;
        if (s.dirs().contains(w.rel)) {
            return new Attr(S_IFDIR | 0755, uid, 0, 0);
        }
        if (s.files().containsKey(w.rel)) {
            return new Attr(S_IFREG | (writable(w.rel) ? 0644 : 0444), uid, 0, 4096);
        }
        if (isDevice(s, w.rel)) {
            Node n = v.nodes.get(w.rel.substring(HostFiles.DEV.length() + 1));
            return deviceAttr(n);
        }
        throw noEntry(path);
    }

    private Attr deviceAttr(Node n) {
        boolean udevDone = n != null && System.nanoTime() - n.bornNs >= UDEV_DELAY.toNanos();
        int mode = 0600;
        int gid = 0;
        if (udevDone && deviceGroup.isPresent()) {
            mode = 0660;
            gid = deviceGroup.get();
        }
        if (n != null) {
            mode = n.mode != null ? n.mode : mode;
            gid = n.gid != null ? n.gid : gid;
        }
        // Size 0, like a character device: readers read until end of file, never up to a size.
        int uid = n != null && n.uid != null ? n.uid : udevDone ? owner : 0;
        return new Attr(S_IFREG | (mode & 07777), uid, gid, 0);
    }

    /** The folders every host always has, and the cables': they never go away while mounted. */
    @Override
    public int stableSeconds(String path) {
        Where w = Where.of(path);
        boolean fixed;
        if (path.equals("/")) {
            fixed = true;
        } else if (w.top.equals(CABLES)) {
            fixed = w.rel.isEmpty() || cables.containsKey(w.rel);
        } else {
            fixed = hosts.containsKey(w.top) && (w.rel.isEmpty() || leadsTo(w.rel, HostFiles.SYSFS_DEVICES)
                    || leadsTo(w.rel, HostFiles.CONFIGFS_STREAM) || w.rel.equals(HostFiles.DEV));
        }
        return fixed ? 3600 : 0;
    }

    /** Whether {@code rel} is {@code folder} or one of its ancestors. */
    private static boolean leadsTo(String rel, String folder) {
        return folder.equals(rel) || folder.startsWith(rel + "/");
    }

    @Override
    public List<String> list(String path) throws FuseError {
        if (path.equals("/")) {
            List<String> top = new ArrayList<>(new TreeSet<>(hosts.keySet()));
            top.add(CABLES);
            return top;
        }
        Where w = Where.of(path);
        if (w.top.equals(CABLES)) {
            if (w.rel.isEmpty()) {
                return new ArrayList<>(new TreeSet<>(cables.keySet()));
            }
            if (cables.containsKey(w.rel)) {
                return List.of(PLUGGED);
            }
            throw noEntry(path);
        }
        HostFiles.Snapshot s = snapshot(view(w, path));
        String prefix = w.rel.isEmpty() ? "" : w.rel + "/";
        if (!w.rel.isEmpty() && !s.dirs().contains(w.rel)) {
            throw new FuseError(Errno.ENOTDIR.number(), path + " is not a directory");
        }
        TreeSet<String> names = new TreeSet<>();
        for (String d : s.dirs().tailSet(prefix)) {
            if (!d.startsWith(prefix)) {
                break;
            }
            String rest = d.substring(prefix.length());
            if (!rest.isEmpty() && rest.indexOf('/') < 0) {
                names.add(rest);
            }
        }
        for (String f : s.files().tailMap(prefix).keySet()) {
            if (!f.startsWith(prefix)) {
                break;
            }
            String rest = f.substring(prefix.length());
            if (rest.indexOf('/') < 0) {
                names.add(rest);
            }
        }
        if (w.rel.equals(HostFiles.DEV)) {
            names.addAll(s.devices());
        }
        return new ArrayList<>(names);
    }

    @Override
    public boolean opensSlowly(String path) {
        Where w = Where.of(path);
        return w.rel.startsWith(HostFiles.DEV + "/");
    }

    @Override
    public FuseFile open(String path, int flags, int uid) throws IOException {
        boolean writing = (flags & O_ACCMODE) != O_RDONLY;
        Where w = Where.of(path);
        if (w.top.equals(CABLES)) {
            String[] parts = w.rel.split("/");
            EmulatedCable cable = cables.get(parts[0]);
            if (cable == null || parts.length != 2 || !parts[1].equals(PLUGGED)) {
                throw noEntry(path);
            }
            return new PluggedFile(cable);
        }
        HostView v = view(w, path);
        HostFiles.Snapshot s = snapshot(v);
        if (isDevice(s, w.rel)) {
            return openDevice(v, w.rel.substring(HostFiles.DEV.length() + 1), (flags & O_NONBLOCK) != 0, path);
        }
        String content = s.files().get(w.rel);
        if (content == null) {
            throw s.dirs().contains(w.rel) ? new FuseError(Errno.EISDIR.number(), path + " is a directory")
                    : noEntry(path);
        }
        if (writing && !writable(w.rel)) {
            // sysfs and ConfigFS refuse a write open of an attribute that has no store, root or not.
            throw new FuseError(Errno.EACCES.number(), path + " cannot be written");
        }
        return new AttributeFile(v, w.rel, content);
    }

    private FuseFile openDevice(HostView v, String device, boolean nonBlocking, String path) throws IOException {
        StreamInfo stream = v.host.streamInfos().stream().filter(i -> i.deviceName().equals(device)).findFirst()
                .orElseThrow(() -> noEntry(path));
        // A file closed just before is let go a moment later: an open now would share its rings (dead ones after
        // an unplug), which the driver's synchronous last close never allows.
        awaitReleases(v, stream.address().service() + "/" + stream.address().name());
        try {
            EmulatedChannel channel = v.host.open(stream.address().service(), stream.address().name(),
                    nonBlocking ? Duration.ZERO : FOREVER, null);
            DeviceFile f = new DeviceFile(v, stream.address().service() + "/" + stream.address().name(), channel);
            v.open.computeIfAbsent(f.stream, k -> ConcurrentHashMap.newKeySet()).add(f);
            return f;
        } catch (FabricException e) {
            throw fuseError(e);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("open interrupted");
        }
    }

    @Override
    public void mkdir(String path, int mode, int uid) throws FuseError {
        Where w = Where.of(path);
        String[] p = configFsParts(w, path, "mkdir");
        HostView v = view(w, path);
        try {
            if (p.length == 1) {
                v.host.mkdirGroup(p[0]);
            } else if (p.length == 2) {
                v.host.mkdirStream(p[0], p[1]);
            } else {
                throw new FuseError(Errno.EPERM.number(), "no directories inside a stream");
            }
        } catch (FabricException e) {
            throw fuseError(e);
        }
        v.changed(); // the host tells its listeners later: this caller's next lookup must see the change
    }

    @Override
    public void rmdir(String path, int uid) throws FuseError {
        Where w = Where.of(path);
        String[] p = configFsParts(w, path, "rmdir");
        HostView v = view(w, path);
        try {
            if (p.length == 1) {
                v.host.rmdirGroup(p[0]);
            } else if (p.length == 2) {
                v.host.rmdirStream(p[0], p[1]);
            } else {
                throw new FuseError(Errno.ENOTDIR.number(), path + " is not a directory");
            }
        } catch (FabricException e) {
            throw fuseError(e);
        }
        v.changed(); // the host tells its listeners later: this caller's next lookup must see the change
    }

    /** The parts of a path below the ConfigFS stream folder; EPERM elsewhere, as sysfs and /dev refuse. */
    private String[] configFsParts(Where w, String path, String what) throws FuseError {
        if (!hosts.containsKey(w.top) || !isConfigFs(w.rel)) {
            throw new FuseError(Errno.EPERM.number(), what + " is only possible in ConfigFS, not at " + path);
        }
        return w.rel.substring(HostFiles.CONFIGFS_STREAM.length() + 1).split("/");
    }

    @Override
    public void setattr(String path, Integer mode, Integer uid, Integer gid, Long size) throws FuseError {
        stat(path); // ENOENT first
        Where w = Where.of(path);
        HostView v = hosts.get(w.top);
        Node n = v == null ? null : v.nodes.get(w.rel.startsWith(HostFiles.DEV + "/")
                ? w.rel.substring(HostFiles.DEV.length() + 1) : "");
        if (mode != null || uid != null || gid != null) {
            if (n == null) {
                throw new FuseError(Errno.EPERM.number(), "only device nodes change owner or mode here");
            }
            if (mode != null) {
                n.mode = mode & 07777;
            }
            if (uid != null) {
                n.uid = uid;
            }
            if (gid != null) {
                n.gid = gid;
            }
        }
        // A size (O_TRUNC of an attribute or a device) means nothing here, as on sysfs and a character device.
    }

    // ---- open files ---------------------------------------------------------------------------------------------

    /** How long an attribute write waits for device files whose descriptors were closed to be let go. */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(2);

    /**
     * The driver's last close is over when {@code close(2)} returns; FUSE lets go of the file a moment later. So what
     * must come after a last close (an open that must get fresh rings, an attribute write that met EBUSY) waits
     * for the releases of the stream's files whose descriptors were all closed already, then says whether none is
     * left. Where a descriptor is still open it returns at once: the device really is open, as on the driver.
     */
    private static boolean awaitReleases(HostView view, String stream) {
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        synchronized (view.open) {
            while (true) {
                java.util.Set<DeviceFile> files = view.open.getOrDefault(stream, java.util.Set.of());
                if (files.isEmpty()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || files.stream().anyMatch(f -> !f.closing)) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(view.open, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /** A read of an attribute's text at {@code offset}: the bytes given, 0 past its end. */
    private static int readText(byte[] text, ByteBuffer dst, long offset) {
        if (offset >= text.length) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), text.length - offset);
        dst.put(text, (int) offset, n);
        return n;
    }

    /** Takes what one write(2) brought, as text: a store sees exactly that. */
    private static String written(ByteBuffer src) {
        byte[] b = new byte[src.remaining()];
        src.get(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** A sysfs or ConfigFS attribute: reads what it held when opened; each write is one store, as in ConfigFS. */
    private static final class AttributeFile implements FuseFile {
        private final HostView view;
        private final String rel;
        private final byte[] content;

        AttributeFile(HostView view, String rel, String content) {
            this.view = view;
            this.rel = rel;
            this.content = content.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public boolean slow() {
            return false;
        }

        @Override
        public int read(ByteBuffer dst, long offset, boolean nonBlocking) {
            return readText(content, dst, offset);
        }

        /** A store may wait for device files being let go (see {@code awaitReleases}): on a worker. */
        @Override
        public boolean writeMayWait(boolean nonBlocking) {
            return true;
        }

        @Override
        public int write(ByteBuffer src, long offset, boolean nonBlocking) throws IOException {
            String[] p = rel.substring(HostFiles.CONFIGFS_STREAM.length() + 1).split("/");
            int n = src.remaining();
            String text = written(src);
            try {
                view.host.writeAttribute(p[0], p[1], p[2], text);
            } catch (FabricException e) {
                if (e.errno() != Errno.EBUSY || !awaitReleases(view, p[0] + "/" + p[1])) {
                    throw fuseError(e);
                }
                try {
                    view.host.writeAttribute(p[0], p[1], p[2], text);
                } catch (FabricException again) {
                    throw fuseError(again);
                }
            }
            view.changed(); // as after mkdir: the next read must show the value written
            return n;
        }

    }

    /** {@code /cables/<a>-<b>/plugged}: 1 while the cable is in; write 0 to pull it, 1 to plug it. */
    private static final class PluggedFile implements FuseFile {
        private final EmulatedCable cable;

        PluggedFile(EmulatedCable cable) {
            this.cable = cable;
        }

        @Override
        public boolean slow() {
            return false;
        }

        @Override
        public int read(ByteBuffer dst, long offset, boolean nonBlocking) {
            return readText((cable.isPlugged() ? "1\n" : "0\n").getBytes(StandardCharsets.US_ASCII), dst, offset);
        }

        @Override
        public int write(ByteBuffer src, long offset, boolean nonBlocking) throws FuseError {
            int n = src.remaining();
            switch (written(src).strip()) {
                case "1" -> {
                    if (!cable.isPlugged()) {
                        cable.plug();
                    }
                }
                case "0" -> {
                    if (cable.isPlugged()) {
                        cable.unplug();
                    }
                }
                default -> throw new FuseError(Errno.EINVAL.number(), "write 0 to pull the cable, 1 to plug it");
            }
            return n;
        }

    }

    /** An open {@code /dev/tbstreamN}. */
    private final class DeviceFile implements FuseFile {
        private final HostView view;
        private final String stream;
        private final EmulatedChannel channel;
        /** Set by a close(2) of one of its descriptors; the release follows, without the caller waiting for it. */
        private volatile boolean closing;
        private final AtomicBoolean armedIn = new AtomicBoolean();
        private final AtomicBoolean armedOut = new AtomicBoolean();

        DeviceFile(HostView view, String stream, EmulatedChannel channel) {
            this.view = view;
            this.stream = stream;
            this.channel = channel;
        }

        @Override
        public boolean slow() {
            return true;
        }

        @Override
        public int read(ByteBuffer dst, long offset, boolean nonBlocking) throws IOException {
            try {
                int n = channel.readAsFile(dst, nonBlocking);
                return Math.max(n, 0);
            } catch (IOException e) {
                throw errno(e);
            }
        }

        @Override
        public int write(ByteBuffer src, long offset, boolean nonBlocking) throws IOException {
            try {
                return channel.writeAsFile(src, nonBlocking);
            } catch (IOException e) {
                throw errno(e);
            }
        }

        @Override
        public boolean mayWait(boolean nonBlocking) {
            return !nonBlocking;
        }

        /**
         * Arms a one-shot wake-up for each direction asked (at most one armed at a time), then says what is ready:
         * armed first, so a change between the look and the arming cannot be missed.
         */
        @Override
        public int poll(int events, Waker waker) {
            int always = EmulatedChannel.ERROR | EmulatedChannel.HANGUP;
            if (waker != null) {
                arm(armedIn, EmulatedChannel.READABLE, events, waker);
                arm(armedOut, EmulatedChannel.WRITABLE, events, waker);
            }
            int ready = channel.readyOps() & (events | always);
            if (ready == 0 && waker != null && (events & EmulatedChannel.READABLE) != 0) {
                long landing = channel.nanosUntilReadable();
                if (landing > 0) {
                    // On its way on a throttled cable: readable at its arrival, which no change announces.
                    timer.schedule(waker::wake, landing, TimeUnit.NANOSECONDS);
                }
            }
            return ready;
        }

        private void arm(AtomicBoolean armed, int op, int events, Waker waker) {
            if ((events & op) != 0 && armed.compareAndSet(false, true)) {
                channel.onNextChange(op, () -> {
                    armed.set(false);
                    waker.wake();
                });
            }
        }

        @Override
        public void flush() {
            channel.flushAsFile();
            closing = true;
        }

        @Override
        public void release() {
            channel.close();
            synchronized (view.open) {
                java.util.Set<DeviceFile> files = view.open.get(stream);
                if (files != null) {
                    files.remove(this);
                }
                view.open.notifyAll();
            }
        }
    }

    /** The driver's error as the caller of the file system call gets it. */
    private static FuseError fuseError(FabricException e) {
        return new FuseError(e.errno().number(), e.getMessage());
    }

    /** The errno a device call's failure answers with. */
    private static IOException errno(IOException e) {
        if (e instanceof FuseError || e instanceof InterruptedIOException) {
            return e;
        }
        if (e instanceof EmulatedChannel.WouldBlockException) {
            return new FuseError(Errno.EAGAIN.number(), "would block");
        }
        if (e instanceof FabricException f) {
            return fuseError(f);
        }
        if (e instanceof ClosedChannelException) {
            return new FuseError(Errno.EBADF.number(), "closed");
        }
        return new FuseError(Errno.EIO.number(), String.valueOf(e.getMessage()));
    }
}
