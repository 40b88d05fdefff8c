package org.hopwire.engine.testbed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.ServiceInfo;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.emulated.EmulatedChannel;
import org.hopwire.engine.fabric.emulated.EmulatedHost;
import org.hopwire.engine.fabric.emulated.HostFiles;
import org.hopwire.engine.fabric.kernel.ConfigFs;
import org.hopwire.engine.fabric.kernel.DeviceOpener;
import org.hopwire.engine.fabric.kernel.KernelPaths;
import org.hopwire.engine.fabric.kernel.SyscallException;

/**
 * Plays the kernel under a {@code KernelFabric} pointed at a folder: keeps a sysfs and ConfigFS tree of files there
 * that shows an emulated host's state, applies ConfigFS changes to that host, and opens its devices.
 *
 * <p>Failures come back as the seams report them, as {@link SyscallException}s carrying the errno's number, so the
 * adapter's own errno handling is what gets tested.
 */
public final class FakeKernel implements ConfigFs, DeviceOpener {
    private final EmulatedHost host;
    private final KernelPaths paths;
    private final Runnable onChange = this::mirror;
    private volatile boolean denyWrites;
    private volatile Duration udevDelay = Duration.ZERO;
    /** When each device node appeared, as udev sees it: it gives the node its mode a moment later. */
    private final java.util.Map<String, Long> nodeBornNs = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean detached;

    public FakeKernel(EmulatedHost host, Path root) throws IOException {
        this.host = host;
        this.paths = KernelPaths.under(root);
        Files.createDirectories(paths.devices());
        Files.createDirectories(paths.configFsStream());
        Files.createDirectories(paths.dev());
        mirror();
        host.addChangeListener(onChange);
    }

    public KernelPaths paths() {
        return paths;
    }

    /** From now on ConfigFS changes fail with EACCES, as for a user who is not root. */
    public void denyWrites() {
        denyWrites = true;
    }

    /**
     * From now on a device node refuses non-root opens with EACCES for {@code delay} after it appears, as the node is
     * made 0600 root at mkdir and udev's rule gives it its group and mode a moment later.
     */
    public void udevDelay(Duration delay) {
        udevDelay = delay;
    }

    /** Counts every device node as just made, so the udev delay starts again for all. */
    public void restartUdevClock() {
        long now = System.nanoTime();
        nodeBornNs.replaceAll((k, v) -> now);
    }

    /** Stops mirroring, before the tree is deleted. */
    public synchronized void detach() {
        host.removeChangeListener(onChange);
        detached = true;
    }

    // ---- ConfigFS ----------------------------------------------------------------------------------------------

    private String[] parts(Path path) throws SyscallException {
        Path rel = paths.configFsStream().relativize(path);
        if (rel.getNameCount() == 0 || rel.startsWith("..") || rel.getNameCount() > 3) {
            throw new SyscallException(Errno.EPERM, "mkdir", path.toString());
        }
        String[] parts = new String[rel.getNameCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = rel.getName(i).toString();
        }
        return parts;
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        String[] p = parts(dir);
        denyIfAsked(dir);
        try {
            if (p.length == 1) {
                host.mkdirGroup(p[0]);
            } else if (p.length == 2) {
                host.mkdirStream(p[0], p[1]);
            } else {
                throw new SyscallException(Errno.EPERM, "mkdir", dir.toString());
            }
        } catch (FabricException e) {
            throw new SyscallException(e.errno(), "mkdir", dir.toString());
        }
        mirror();
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        String[] p = parts(dir);
        denyIfAsked(dir);
        try {
            if (p.length == 1) {
                host.rmdirGroup(p[0]);
            } else if (p.length == 2) {
                host.rmdirStream(p[0], p[1]);
            } else {
                throw new SyscallException(Errno.ENOTDIR, "rmdir", dir.toString());
            }
        } catch (FabricException e) {
            throw new SyscallException(e.errno(), "rmdir", dir.toString());
        }
        mirror();
    }

    @Override
    public void write(Path attribute, String value) throws IOException {
        String[] p = parts(attribute);
        denyIfAsked(attribute);
        if (p.length != 3) {
            throw new SyscallException(Errno.EISDIR, "write", attribute.toString());
        }
        try {
            host.writeAttribute(p[0], p[1], p[2], value);
        } catch (FabricException e) {
            throw new SyscallException(e.errno(), "write", attribute.toString());
        }
        mirror();
    }

    private void denyIfAsked(Path path) throws SyscallException {
        if (denyWrites) {
            throw new SyscallException(Errno.EACCES, "configfs", path.toString());
        }
    }

    // ---- devices -----------------------------------------------------------------------------------------------

    @Override
    public ByteChannel open(Path device) throws IOException {
        String file = device.getFileName().toString();
        Long born = nodeBornNs.get(file);
        if (born != null && System.nanoTime() - born < udevDelay.toNanos()) {
            throw new SyscallException(Errno.EACCES, "open", device.toString());
        }
        StreamInfo stream = host.streamInfos().stream().filter(s -> s.deviceName().equals(file)).findFirst()
                .orElseThrow(() -> new SyscallException(Errno.ENOENT, "open", device.toString()));
        try {
            return new RawChannel(host.open(stream.address().service(), stream.address().name(), Duration.ZERO,
                    null));
        } catch (FabricException e) {
            throw new SyscallException(e.errno(), "open", device.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }

    /** The device as a file channel shows it: errors are bare errno texts. */
    private static final class RawChannel implements org.hopwire.engine.fabric.kernel.PollableChannel {
        private final EmulatedChannel channel;

        RawChannel(EmulatedChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                return channel.read(dst);
            } catch (FabricException e) {
                throw new SyscallException(e.errno(), "read", null);
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            try {
                return channel.write(src);
            } catch (FabricException e) {
                throw new SyscallException(e.errno(), "write", null);
            }
        }

        @Override
        public boolean awaitWritable(Duration timeout) throws IOException {
            try {
                return channel.awaitWritable(timeout);
            } catch (FabricException e) {
                throw new SyscallException(e.errno(), "poll", null);
            }
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() {
            channel.close();
        }
    }

    // ---- the mirrored tree ---------------------------------------------------------------------------------------

    /** Rewrites sysfs, ConfigFS and /dev in the folder to show the host as it is now. */
    public synchronized void mirror() {
        if (detached) {
            return;
        }
        try {
            mirrorTree();
        } catch (IOException e) {
            throw new IllegalStateException("fake kernel could not write its tree", e);
        }
    }

    private void mirrorTree() throws IOException {
        HostFiles.Snapshot now = HostFiles.of(host);
        Path root = paths.dev().getParent();
        for (String dir : now.dirs()) {
            Files.createDirectories(root.resolve(dir));
        }
        for (var file : now.files().entrySet()) {
            writeFile(root.resolve(file.getKey()), file.getValue());
        }
        for (String dev : now.devices()) {
            Path node = paths.dev().resolve(dev);
            if (!Files.exists(node)) {
                Files.createFile(node);
                nodeBornNs.put(dev, System.nanoTime());
            }
        }
        removeStale(root.resolve("sys"), "sys", now);
        removeStale(paths.dev(), HostFiles.DEV, now);
        nodeBornNs.keySet().retainAll(now.devices());
    }

    /** Deletes what the host no longer shows; a service (0-1.0) before its host (0-1), as the kernel removes them. */
    private static void removeStale(Path dir, String rel, HostFiles.Snapshot now) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            String childRel = rel + "/" + name;
            boolean device = rel.equals(HostFiles.DEV) && now.devices().contains(name);
            if (now.dirs().contains(childRel)) {
                removeStale(child, childRel, now);
            } else if (!device && !now.files().containsKey(childRel)) {
                try (Stream<Path> walk = Files.walk(child)) {
                    for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(q);
                    }
                }
            }
        }
    }

    private static void writeFile(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
