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
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import org.hopwire.engine.fabric.AbstractFabric;
import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricEvent;
import org.hopwire.engine.fabric.FabricException;
import org.hopwire.engine.fabric.NoSuchStreamException;
import org.hopwire.engine.fabric.PeerHost;
import org.hopwire.engine.fabric.PermissionDeniedException;
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
 * at once after this fabric's own changes; the same look notices a resume from suspend. Change uevents are not read,
 * so this fabric sends no {@link FabricEvent.ServiceChanged}: followers back off instead. The kernel does not show
 * which process has a device open, so {@link StreamInfo#open()} reports only this fabric's own opens. No call here
 * blocks without a bound: devices are opened non-blocking, and their reads and writes wait in {@code poll(2)} that a
 * close wakes.
 */
public final class KernelFabric extends AbstractFabric {
    /** Half a second: soon enough for a person plugging a cable, and a look costs only a few small file reads. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    /** How often a waiting open tries again whether the peer has arrived. */
    private static final long ATTACH_POLL_MS = 20;
    /** How long an open keeps trying while the device node's mode or the node itself is still coming from udev. */
    static final Duration UDEV_GRACE = Duration.ofSeconds(1);
    /** A jump of the boot clock past the monotonic clock this large is a suspend (a resume takes seconds anyway). */
    static final Duration RESUME_THRESHOLD = Duration.ofSeconds(2);

    private final KernelPaths paths;
    private final ConfigFs configFs;
    private final DeviceOpener opener;
    private final Sysfs sysfs;
    private final ScheduledExecutorService poller;
    private final LongSupplier bootClockNs;
    private long lastClockGap = Long.MIN_VALUE;

    /** The real driver, at the real paths, changing ConfigFS as this process. */
    public KernelFabric() {
        this(KernelPaths.SYSTEM, ConfigFs.DIRECT, DeviceOpener.DIRECT, DEFAULT_POLL_INTERVAL);
    }

    public KernelFabric(KernelPaths paths, ConfigFs configFs, DeviceOpener opener, Duration pollInterval) {
        this(paths, configFs, opener, pollInterval, KernelFabric::procUptimeNs);
    }

    /**
     * @param bootClockNs nanoseconds since boot including suspended time (tests pass a clock they can move)
     */
    public KernelFabric(KernelPaths paths, ConfigFs configFs, DeviceOpener opener, Duration pollInterval,
                        LongSupplier bootClockNs) {
        super("hopwire-fabric-kernel");
        this.paths = Objects.requireNonNull(paths, "paths");
        this.configFs = Objects.requireNonNull(configFs, "configFs");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.bootClockNs = Objects.requireNonNull(bootClockNs, "bootClockNs");
        this.sysfs = new Sysfs(paths.devices());
        checkResume();
        refresh();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopwire-sysfs-poll");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(() -> {
            checkResume();
            refresh();
        }, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
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
    public UUID localHostUuid(PeerHost peer) throws FabricException {
        return sysfs.hostUuid(peer.domain()).orElseThrow(() -> new FabricException(Errno.ENOENT, "cannot read this"
                + " host's UUID in domain " + peer.domain() + " (" + paths.devices() + "/" + peer.domain()
                + "-0/unique_id), where " + peer.id() + " is"));
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
        } catch (HelperFailedException e) {
            // The helper's own failure (not installed, not authorised, dismissed, hung): its message says what to do.
            throw cause(e.errno() == Errno.EACCES || e.errno() == Errno.EPERM
                    ? new PermissionDeniedException("could not " + what + ": " + e.getMessage())
                    : new FabricException(e.errno(), "could not " + what + ": " + e.getMessage()), e);
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
                    case EINVAL -> hopId ? Problems.invalidHopId(address, attribute, value, maxHopId(address, attribute))
                            : attribute.equals(ATTR_RING_SIZE)
                            ? Problems.outOfRange(address, attribute, value, Usb4Stream.MIN_RING_SIZE,
                                    Usb4Stream.MAX_RING_SIZE)
                            : Problems.outOfRange(address, attribute, value, Usb4Stream.MIN_THROTTLING_NS,
                                    Usb4Stream.MAX_THROTTLING_NS);
                    case ERANGE -> Problems.overflow(address, attribute, value);
                    // EBUSY means "taken" only for a specific HopID (-1 and 0 are never taken) and only if no
                    // program has the device open; only our own opens are known, so a specific value not open here
                    // may be either, and the message says both.
                    case EBUSY -> hopId && parse(value) >= Usb4Stream.MIN_HOPID && !openHere(address)
                            ? Problems.hopIdBusy(address, attribute, parse(value))
                            : Problems.streamOpen(address, attribute);
                    case ENOSPC -> Problems.noFreeHopId(address, attribute, Math.max(Usb4Stream.MIN_HOPID,
                            parse(value)), maxHopId(address, attribute));
                    case ENOENT -> Problems.noSuchStream(address);
                    case EACCES, EPERM -> attribute.equals(ATTR_INDEX) ? Problems.readOnly(address, attribute) : null;
                    default -> null;
                });
    }

    /**
     * The highest HopID an attribute takes, for messages: out HopIDs are limited by the peer's {@code maxhopid}; in
     * HopIDs by this host's lane adapter, which sysfs does not show, so the driver's usual maximum is named.
     */
    private int maxHopId(StreamAddress address, String attribute) {
        if (attribute.equals(ATTR_OUT_HOPID)) {
            String xdomain = Usb4Stream.xdomainOf(address.service());
            for (PeerHost p : sysfs.xdomains()) {
                if (p.id().equals(xdomain)) {
                    return p.outHopIdLimit();
                }
            }
        }
        return Usb4Stream.DEFAULT_MAX_HOPID;
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

    /**
     * Opens the device without ever blocking in {@code open(2)} (which Java cannot interrupt): the opener opens
     * non-blocking, and while the driver answers ENXIO (no connection) this waits here, where it can be given up,
     * and tries again. It gives up at the timeout, as {@link org.hopwire.engine.fabric.Fabric#open} says.
     */
    @Override
    public StreamChannel open(StreamAddress address, Duration timeout) throws FabricException, InterruptedException {
        ensureOpen();
        long now = System.nanoTime();
        long deadline = now + timeout.toNanos();
        long permissionDeadline = 0;
        boolean waited = false;
        while (true) {
            Optional<StreamInfo> found = stream(address);
            if (found.isEmpty()) {
                throw waited ? Problems.linkDown(address, "the stream was removed while waiting to open it")
                        : Problems.noSuchStream(address);
            }
            Path device = paths.dev().resolve(found.get().deviceName());
            Errno errno;
            IOException failure;
            try {
                ByteChannel channel = opener.open(device);
                KernelStreamChannel opened = track(new KernelStreamChannel(address, channel, this::untrack));
                refresh();
                return opened;
            } catch (IOException e) {
                failure = e;
                errno = Syscalls.errno(e);
            }
            now = System.nanoTime();
            switch (errno) {
                case ENXIO -> {
                    // No connection yet: the blocking open would wait, so wait here.
                    if (now - deadline >= 0) {
                        throw cause(waited && found.get().attached() && !found.get().hasHopIds()
                                ? Problems.hopIdUnset(address) : Problems.peerNotConnected(address), failure);
                    }
                }
                case EINVAL -> {
                    // A connection, but a HopID unset: at once, unless the open had to wait, which then keeps waiting.
                    if (!waited || now - deadline >= 0) {
                        throw cause(Problems.hopIdUnset(address), failure);
                    }
                }
                case EACCES, EPERM, ENOENT -> {
                    // The node appears 0600 root at mkdir and udev gives it its mode a moment later: retry briefly.
                    if (permissionDeadline == 0) {
                        permissionDeadline = now + UDEV_GRACE.toNanos();
                    }
                    if (now - permissionDeadline >= 0) {
                        throw cause(errno == Errno.ENOENT ? new NoSuchStreamException(device + " does not exist"
                                + " although stream " + address + " does: is udev running?")
                                : Problems.deviceDenied(device.toString()), failure);
                    }
                }
                case ENOMEM -> throw cause(Problems.tooManyStreams(address), failure);
                case EIO -> throw cause(Problems.pathsFailed(address), failure);
                default -> throw cause(common(errno, device, "open " + device), failure);
            }
            waited = true;
            long leftNs = Math.max(deadline, permissionDeadline) - now;
            Thread.sleep(Math.max(1, Math.min(ATTACH_POLL_MS, TimeUnit.NANOSECONDS.toMillis(leftNs))));
        }
    }

    // ---- suspend ---------------------------------------------------------------------------------------------------

    /**
     * Looks whether this machine slept since the last look: {@link System#nanoTime()} stops while suspended and the
     * boot clock does not, so a growing gap between them is a suspend. After a resume the rings of open streams
     * are new and their byte streams have a hole; listeners hear {@link FabricEvent.Resumed}.
     */
    private void checkResume() {
        long boot = bootClockNs.getAsLong();
        long mono = System.nanoTime();
        if (boot < 0) {
            return;
        }
        long gap = boot - mono;
        if (lastClockGap != Long.MIN_VALUE && gap - lastClockGap > RESUME_THRESHOLD.toNanos()) {
            emit(new FabricEvent.Resumed());
        }
        lastClockGap = gap;
    }

    /** Nanoseconds since boot including time suspended, from {@code /proc/uptime} (10 ms resolution); -1 if unread. */
    static long procUptimeNs() {
        try {
            String text = Files.readString(Path.of("/proc/uptime"));
            String first = text.strip().split("\\s+")[0];
            return (long) (Double.parseDouble(first) * 1e9);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    protected void onClose() {
        poller.shutdownNow();
        configFs.close();
    }
}
