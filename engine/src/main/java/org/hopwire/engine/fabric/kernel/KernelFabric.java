package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.hopwire.engine.fabric.AbstractFabric;
import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.Problems;
import org.hopwire.engine.fabric.StreamAddress;
import org.hopwire.engine.fabric.StreamChannel;
import org.hopwire.engine.fabric.StreamInfo;
import org.hopwire.engine.fabric.Usb4Stream;

/**
 * The fabric of the real {@code thunderbolt_stream} driver: reads sysfs, changes ConfigFS through {@link ConfigFs},
 * and opens {@code /dev/tbstreamN} through {@link DeviceOpener}.
 *
 * <p>sysfs gives plain readers no change notification, so peers and streams are looked at every poll interval, and
 * at once after this fabric's own changes. The kernel does not show which process has a device open, so
 * {@link StreamInfo#open()} reports only this fabric's own opens.
 */
public final class KernelFabric extends AbstractFabric {
    /** Half a second: soon enough for a person plugging a cable, and a look costs only a few small file reads. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    /** How often a waiting open looks whether the peer has arrived. */
    private static final long ATTACH_POLL_MS = 20;

    private final KernelPaths paths;
    private final ConfigFs configFs;
    private final DeviceOpener opener;
    private final Sysfs sysfs;
    private final ScheduledExecutorService poller;

    /** The real driver, at the real paths, changing ConfigFS as this process. */
    public KernelFabric() {
        this(KernelPaths.SYSTEM, ConfigFs.DIRECT, DeviceOpener.DIRECT, DEFAULT_POLL_INTERVAL);
    }

    public KernelFabric(KernelPaths paths, ConfigFs configFs, DeviceOpener opener, Duration pollInterval) {
        super("hopwire-fabric-kernel");
        this.paths = Objects.requireNonNull(paths, "paths");
        this.configFs = Objects.requireNonNull(configFs, "configFs");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.sysfs = new Sysfs(paths.devices());
        refresh();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopwire-sysfs-poll");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::refresh, pollInterval.toMillis(), pollInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Why the kernel fabric cannot run at {@code paths}, or empty when it can: no Thunderbolt bus, or no
     * USB4STREAM driver in ConfigFS.
     */
    public static Optional<String> unavailableReason(KernelPaths paths) {
        if (!new Sysfs(paths.devices()).busPresent()) {
            return Optional.of("no USB4/Thunderbolt controller: " + paths.devices() + " does not exist");
        }
        if (!Files.isDirectory(paths.configFsStream())) {
            return Optional.of(Problems.driverNotLoaded(paths.configFsStream().toString()).getMessage());
        }
        return Optional.empty();
    }

    public KernelPaths paths() {
        return paths;
    }

    @Override
    public String kind() {
        return "kernel";
    }

    @Override
    public UUID localHostUuid() throws FabricException {
        return sysfs.hostUuid().orElseThrow(() -> new FabricException(Errno.ENOENT, "cannot read this host's UUID"
                + " from " + paths.devices() + "/<domain>-0/unique_id: is there a USB4/Thunderbolt controller and is"
                + " the thunderbolt driver loaded?"));
    }

    @Override
    public List<PeerHost> peers() {
        return sysfs.xdomains();
    }

    @Override
    public List<StreamInfo> streams() {
        Path root = paths.configFsStream();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<StreamInfo> result = new ArrayList<>();
        for (Path group : subdirectories(root)) {
            String service = group.getFileName().toString();
            boolean attached = sysfs.servicePresent(service);
            for (Path dir : subdirectories(group)) {
                StreamAddress address = new StreamAddress(service, dir.getFileName().toString());
                Optional<String> index = Sysfs.read(dir.resolve(ATTR_INDEX));
                if (index.isEmpty()) {
                    continue; // removed while we looked
                }
                result.add(new StreamInfo(address, Sysfs.leadingNumber(index.get()),
                        Sysfs.number(dir.resolve(ATTR_IN_HOPID)), Sysfs.number(dir.resolve(ATTR_OUT_HOPID)),
                        Sysfs.number(dir.resolve(ATTR_RING_SIZE)), Sysfs.number(dir.resolve(ATTR_THROTTLING)),
                        attached, openHere(address)));
            }
        }
        return result;
    }

    private static List<Path> subdirectories(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    // ---- ConfigFS ----------------------------------------------------------------------------------------------

    private Path group(String service) {
        return paths.configFsStream().resolve(service);
    }

    private Path dir(StreamAddress a) {
        return group(a.service()).resolve(a.name());
    }

    private void requireConfigFs() throws FabricException {
        if (!Files.isDirectory(paths.configFsStream())) {
            throw Problems.driverNotLoaded(paths.configFsStream().toString());
        }
    }

    @Override
    protected boolean groupExists(String service) throws FabricException {
        requireConfigFs();
        return Files.isDirectory(group(service));
    }

    /** One ConfigFS system call, through the seam. */
    @FunctionalInterface
    private interface Syscall {
        void run(Path path) throws IOException;
    }

    /** What an errno means for one operation; null where the general meaning ({@link #common}) fits. */
    @FunctionalInterface
    private interface Meaning {
        FabricException of(Errno errno);
    }

    private void change(Syscall call, Path path, String what, Meaning meaning) throws FabricException {
        try {
            call.run(path);
        } catch (IOException e) {
            Errno errno = Syscalls.errno(e);
            FabricException specific = meaning.of(errno);
            throw cause(specific != null ? specific : common(errno, path, what), e);
        }
    }

    @Override
    protected void mkdirGroup(String service) throws FabricException {
        requireConfigFs();
        change(configFs::mkdir, group(service), "create service group " + service, errno -> switch (errno) {
            case EINVAL -> Problems.invalidServiceName(service);
            case EEXIST -> new org.hopwire.engine.fabric.StreamExistsException("service group " + service
                    + " already exists");
            case ENOENT -> Problems.driverNotLoaded(paths.configFsStream().toString());
            default -> null;
        });
    }

    @Override
    protected void rmdirGroup(String service) throws FabricException {
        change(configFs::rmdir, group(service), "remove service group " + service, errno -> switch (errno) {
            case ENOENT -> Problems.noSuchGroup(service);
            case ENOTEMPTY -> Problems.groupNotEmpty(service);
            default -> null;
        });
    }

    @Override
    protected void mkdirStream(StreamAddress address) throws FabricException {
        requireConfigFs();
        change(configFs::mkdir, dir(address), "create stream " + address, errno -> switch (errno) {
            case ENAMETOOLONG -> Problems.nameTooLong(address.name());
            case EEXIST -> Problems.streamExists(address);
            case EINVAL -> Problems.invalidStreamName(address.name());
            case ENOENT -> Problems.noSuchGroup(address.service());
            default -> null;
        });
    }

    @Override
    protected void rmdirStream(StreamAddress address) throws FabricException {
        change(configFs::rmdir, dir(address), "remove stream " + address,
                errno -> errno == Errno.ENOENT ? Problems.noSuchStream(address) : null);
    }

    @Override
    protected void writeAttribute(StreamAddress address, String attribute, String value) throws FabricException {
        boolean hopId = attribute.equals(ATTR_IN_HOPID) || attribute.equals(ATTR_OUT_HOPID);
        change(p -> configFs.write(p, value), dir(address).resolve(attribute), "write " + attribute + " of "
                + address, errno -> switch (errno) {
                    case EINVAL -> hopId ? Problems.invalidHopId(address, attribute, value,
                            Usb4Stream.DEFAULT_MAX_HOPID)
                            : attribute.equals(ATTR_RING_SIZE)
                            ? Problems.outOfRange(address, attribute, value, Usb4Stream.MIN_RING_SIZE,
                                    Usb4Stream.MAX_RING_SIZE)
                            : Problems.outOfRange(address, attribute, value, Usb4Stream.MIN_THROTTLING_NS,
                                    Usb4Stream.MAX_THROTTLING_NS);
                    // EBUSY means "taken" for a HopID unless the device is open: only our own opens are known.
                    case EBUSY -> hopId && !openHere(address) ? Problems.hopIdBusy(address, attribute, parse(value))
                            : Problems.streamOpen(address, attribute);
                    case ENOSPC -> Problems.noFreeHopId(address, attribute, Usb4Stream.DEFAULT_MAX_HOPID);
                    case ENOENT -> Problems.noSuchStream(address);
                    case EACCES, EPERM -> attribute.equals(ATTR_INDEX) ? Problems.readOnly(address, attribute) : null;
                    default -> null;
                });
    }

    private static int parse(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static FabricException common(Errno errno, Path path, String what) {
        return switch (errno) {
            case EACCES, EPERM -> Problems.permissionDenied(path.toString());
            default -> new FabricException(errno, "could not " + what + ": " + errno.text());
        };
    }

    private static FabricException cause(FabricException typed, IOException cause) {
        typed.initCause(cause);
        return typed;
    }

    // ---- devices -----------------------------------------------------------------------------------------------

    @Override
    public StreamChannel open(StreamAddress address, Duration timeout) throws FabricException, InterruptedException {
        ensureOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteChannel channel;
        StreamInfo s = stream(address).orElseThrow(() -> Problems.noSuchStream(address));
        while (true) {
            // A blocking open(2) cannot be given up from Java, so wait here, where it can, until the driver attaches.
            while (!sysfs.servicePresent(address.service())) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw Problems.peerNotConnected(address);
                }
                Thread.sleep(Math.min(ATTACH_POLL_MS, leftMs));
                s = stream(address).orElseThrow(() -> Problems.linkDown(address,
                        "the stream was removed while waiting to open it"));
            }
            if (!s.hasHopIds()) {
                throw Problems.hopIdUnset(address);
            }
            Path device = paths.dev().resolve(s.deviceName());
            try {
                channel = opener.open(device);
                break;
            } catch (IOException e) {
                Errno errno = Syscalls.errno(e);
                if (errno == Errno.ENXIO && System.nanoTime() < deadline) {
                    // The peer left between our look at sysfs and the open: wait for it again.
                    Thread.sleep(ATTACH_POLL_MS);
                    continue;
                }
                throw cause(switch (errno) {
                    case ENXIO -> Problems.peerNotConnected(address);
                    case EINVAL -> Problems.hopIdUnset(address);
                    case EACCES, EPERM -> new org.hopwire.engine.fabric.PermissionDeniedException("no permission to"
                            + " open " + device + ": run Hopwire as root, or install"
                            + " packaging/udev/70-hopwire-tbstream.rules and add yourself to its group");
                    case ENOENT -> new org.hopwire.engine.fabric.NoSuchStreamException(device + " does not exist"
                            + " although stream " + address + " does: is udev running?");
                    default -> common(errno, device, "open " + device);
                }, e);
            }
        }
        KernelStreamChannel opened = track(new KernelStreamChannel(address, channel, this::untrack));
        refresh();
        return opened;
    }

    @Override
    protected void onClose() {
        poller.shutdownNow();
    }
}
