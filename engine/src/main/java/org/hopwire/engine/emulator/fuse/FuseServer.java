package org.hopwire.engine.emulator.fuse;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves a {@link FuseFs} on a folder by speaking the kernel's FUSE protocol on {@code /dev/fuse} directly (protocol
 * 7.31, see {@code include/uapi/linux/fuse.h}): no libfuse, no native code but five system calls.
 *
 * <p>One thread reads requests and answers the quick ones itself; those that may wait (a device's open, read, write,
 * last close) go to a bounded pool of workers. An {@code INTERRUPT} from the kernel (the caller got a signal, or was
 * killed) interrupts the worker of that request, which then answers EINTR having taken nothing: a killed reader's
 * request never swallows data meant for the next one. Files are served with direct I/O (no page cache: every read
 * and write reaches the file system, in any size), devices as streams.
 *
 * <p>Nothing is cached by the kernel (entries and attributes time out at once), so what the file system shows is
 * always its state now. Mounting needs root (CAP_SYS_ADMIN); the kernel checks modes ({@code default_permissions})
 * and lets every user in ({@code allow_other}).
 */
public final class FuseServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FuseServer.class.getName());

    private static final int MAJOR = 7;
    private static final int MINOR = 31;
    private static final int IN_HEADER = 40;
    private static final int OUT_HEADER = 16;
    /** The largest write the kernel sends in one request (256 pages): dd with 1 MiB blocks makes one each. */
    public static final int MAX_WRITE = 1 << 20;
    private static final int BUFFER = MAX_WRITE + 4096;
    private static final int MAX_WORKERS = 256;
    private static final int SPARE_BUFFERS = 8;

    // opcodes (fuse.h)
    private static final int LOOKUP = 1;
    private static final int FORGET = 2;
    private static final int GETATTR = 3;
    private static final int SETATTR = 4;
    private static final int READLINK = 5;
    private static final int SYMLINK = 6;
    private static final int MKNOD = 8;
    private static final int MKDIR = 9;
    private static final int UNLINK = 10;
    private static final int RMDIR = 11;
    private static final int RENAME = 12;
    private static final int LINK = 13;
    private static final int OPEN = 14;
    private static final int READ = 15;
    private static final int WRITE = 16;
    private static final int STATFS = 17;
    private static final int RELEASE = 18;
    private static final int FSYNC = 20;
    private static final int FLUSH = 25;
    private static final int INIT = 26;
    private static final int OPENDIR = 27;
    private static final int READDIR = 28;
    private static final int RELEASEDIR = 29;
    private static final int FSYNCDIR = 30;
    private static final int ACCESS = 34;
    private static final int CREATE = 35;
    private static final int INTERRUPT = 36;
    private static final int DESTROY = 38;
    private static final int IOCTL = 39;
    private static final int POLL = 40;
    private static final int BATCH_FORGET = 42;
    private static final int RENAME2 = 45;

    private static final int FUSE_ATOMIC_O_TRUNC = 1 << 3;
    private static final int FUSE_BIG_WRITES = 1 << 5;
    private static final int FUSE_MAX_PAGES = 1 << 22;
    private static final int FOPEN_DIRECT_IO = 1;
    private static final int FOPEN_NONSEEKABLE = 1 << 2;
    private static final int FOPEN_STREAM = 1 << 4;
    private static final int FATTR_MODE = 1;
    private static final int FATTR_UID = 1 << 1;
    private static final int FATTR_GID = 1 << 2;
    private static final int FATTR_SIZE = 1 << 3;
    private static final int POLL_SCHEDULE_NOTIFY = 1;
    private static final int NOTIFY_POLL = 1;
    private static final int O_NONBLOCK = 0x800;

    private static final int EPERM = 1;
    private static final int EIO = 5;
    private static final int EACCES = 13;
    private static final int ENOTTY = 25;
    private static final int ENOSYS = 38;

    private final Path dir;
    private final FuseFs fs;
    private final int fd;
    private final Thread dispatcher;
    private final ThreadPoolExecutor workers;
    private final long startSeconds = System.currentTimeMillis() / 1000;

    /** Node ids to paths; the dispatcher makes and forgets them, workers read them. */
    private final Map<Long, String> paths = new ConcurrentHashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    private final Map<Long, Long> lookups = new HashMap<>();
    private long nextId = 2;

    private final Map<Long, Object> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final Map<Long, Request> inFlight = new ConcurrentHashMap<>();
    private final ArrayBlockingQueue<ByteBuffer> spare = new ArrayBlockingQueue<>(SPARE_BUFFERS);
    private final ByteBuffer reply = direct(64 * 1024);
    private final ByteBuffer notice = direct(OUT_HEADER + 8);
    /** The dispatcher's reply buffer for device reads; made at first use. */
    private ByteBuffer bigReply;
    private static final ThreadLocal<ByteBuffer> WORKER_REPLY = new ThreadLocal<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean closing;

    /** A request a worker runs: the kernel may ask to interrupt it. */
    private static final class Request {
        Thread thread;
        boolean interrupted;
        boolean done;
    }

    private FuseServer(Path dir, FuseFs fs, int fd) {
        this.dir = dir;
        this.fs = fs;
        this.fd = fd;
        paths.put(1L, "/");
        ids.put("/", 1L);
        workers = new ThreadPoolExecutor(0, MAX_WORKERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "hopwire-fuse-worker");
            t.setDaemon(true);
            return t;
        });
        dispatcher = new Thread(this::serve, "hopwire-fuse " + dir);
        dispatcher.setDaemon(true);
    }

    /**
     * Mounts {@code fs} on {@code dir} (an existing, empty folder) and starts serving it.
     *
     * @param name shown as the mount's source and type ({@code fuse.<name>})
     */
    public static FuseServer mount(Path dir, FuseFs fs, String name) throws IOException {
        int fd;
        try {
            fd = FuseCalls.openFuseDevice();
        } catch (FuseCalls.CallFailed e) {
            throw new IOException("cannot open /dev/fuse (errno " + e.errno + "): " + (e.errno == FuseCalls.ENOENT
                    ? "this machine has no FUSE device; install fuse3 or load the fuse module"
                    : "run as root"), e);
        }
        try {
            FuseCalls.mount(fd, dir.toAbsolutePath(), name);
        } catch (FuseCalls.CallFailed e) {
            FuseCalls.close(fd);
            throw new IOException("cannot mount " + dir + " (errno " + e.errno + "): " + (e.errno == EPERM
                    ? "mounting needs root" : e.errno == FuseCalls.ENOENT ? "the folder does not exist" : "see mount(2)"), e);
        }
        FuseServer server = new FuseServer(dir.toAbsolutePath(), fs, fd);
        server.dispatcher.start();
        return server;
    }

    /** Whether this machine can serve FUSE file systems: /dev/fuse exists and this process may open it. */
    public static java.util.Optional<String> unavailableReason() {
        if (!java.nio.file.Files.exists(Path.of("/dev/fuse"))) {
            return java.util.Optional.of("/dev/fuse does not exist (no FUSE in this kernel or container)");
        }
        try {
            FuseCalls.close(FuseCalls.openFuseDevice());
        } catch (FuseCalls.CallFailed e) {
            return java.util.Optional.of("cannot open /dev/fuse (errno " + e.errno + ")"
                    + (e.errno == 13 || e.errno == EPERM ? ": run it as root" : ""));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return java.util.Optional.of("JNA cannot load the C library: " + e);
        }
        if (FuseCalls.uid() != 0) {
            return java.util.Optional.of("mounting a FUSE file system here needs root");
        }
        return MountProbe.RESULT;
    }

    /** Whether mount(2) of FUSE works here, tried once: root in a container may still lack CAP_SYS_ADMIN. */
    private static final class MountProbe {
        static final java.util.Optional<String> RESULT = probe();

        private static java.util.Optional<String> probe() {
            Path dir;
            try {
                dir = java.nio.file.Files.createTempDirectory("hopwire-fuse-probe-");
            } catch (IOException e) {
                return java.util.Optional.of("cannot make a folder to try a mount in: " + e.getMessage());
            }
            int fd = -1;
            try {
                fd = FuseCalls.openFuseDevice();
                FuseCalls.mount(fd, dir, "hopwire-probe");
                FuseCalls.unmount(dir);
                return java.util.Optional.empty();
            } catch (FuseCalls.CallFailed e) {
                return java.util.Optional.of("mount(2) of a FUSE file system fails here (errno " + e.errno + ")"
                        + (e.errno == EPERM ? ": this process lacks CAP_SYS_ADMIN (a container?)" : ""));
            } finally {
                if (fd >= 0) {
                    FuseCalls.close(fd);
                }
                try {
                    java.nio.file.Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // a temporary folder left behind is harmless
                }
            }
        }
    }

    /**
     * Prepares {@code dir} for a mount: makes it if missing, detaches a mount a killed server left there (it answers
     * "Transport endpoint is not connected"), and refuses a folder that holds anything.
     */
    public static void prepareMountPoint(Path dir) throws IOException {
        try {
            java.nio.file.Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (java.nio.file.NoSuchFileException e) {
            // made below
        } catch (java.nio.file.FileSystemException e) {
            if (e.getReason() == null || !e.getReason().contains("not connected")) {
                throw e;
            }
            try {
                FuseCalls.unmount(dir.toAbsolutePath());
            } catch (FuseCalls.CallFailed f) {
                throw new IOException(dir + " is a dead FUSE mount and could not be detached (errno " + f.errno
                        + "): run 'umount -l " + dir + "' as root", f);
            }
        }
        java.nio.file.Files.createDirectories(dir);
        try (var s = java.nio.file.Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new IOException(dir + " is not empty: mount the emulator on an empty folder");
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** Waits until the server stopped (unmounted by {@link #close} or from outside). */
    public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    /** Unmounts, ends every waiting request and lets go of every open file. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            FuseCalls.unmount(dir);
        } catch (FuseCalls.CallFailed e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
        try {
            if (!ended.await(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "the FUSE server of " + dir + " did not stop in 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inFlight.values().forEach(this::interrupt);
        List<Thread> releases = new ArrayList<>();
        for (Object h : handles.values()) {
            if (h instanceof FuseFile f) {
                Thread t = new Thread(f::release, "hopwire-fuse-release");
                t.setDaemon(true);
                t.start();
                releases.add(t);
            }
        }
        handles.clear();
        for (Thread t : releases) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdownNow();
        FuseCalls.close(fd);
    }

    // ---- the dispatcher ---------------------------------------------------------------------------------------

    private void serve() {
        ByteBuffer in = direct(BUFFER);
        try {
            while (true) {
                in.clear();
                int n = FuseCalls.read(fd, in);
                if (n < 0) {
                    int errno = -n;
                    if (errno == FuseCalls.EINTR || errno == FuseCalls.EAGAIN || errno == FuseCalls.ENOENT) {
                        continue; // a request given up before we took it, or a signal
                    }
                    if (errno != FuseCalls.ENODEV) {
                        LOG.log(System.Logger.Level.ERROR, "reading /dev/fuse failed with errno " + errno);
                    }
                    return;
                }
                in.limit(n);
                if (dispatch(in)) {
                    in = takeBuffer();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the FUSE server of " + dir + " stopped", e);
        } finally {
            ended.countDown();
        }
    }

    private ByteBuffer takeBuffer() {
        ByteBuffer b = spare.poll();
        return b != null ? b : direct(BUFFER);
    }

    private void giveBack(ByteBuffer b) {
        spare.offer(b);
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Handles one request; true when a worker kept the buffer. */
    private boolean dispatch(ByteBuffer in) {
        int opcode = in.getInt(4);
        long unique = in.getLong(8);
        long node = in.getLong(16);
        int uid = in.getInt(24);
        try {
            switch (opcode) {
                case INIT -> init(in, unique);
                case LOOKUP -> {
                    String path = child(node, name(in, IN_HEADER));
                    FuseFs.Attr a = fs.stat(path);
                    entry(unique, remember(path), a, fs.stableSeconds(path));
                }
                case FORGET -> forget(node, in.getLong(IN_HEADER));
                case BATCH_FORGET -> {
                    int count = in.getInt(IN_HEADER);
                    for (int i = 0; i < count; i++) {
                        int at = IN_HEADER + 8 + 16 * i;
                        forget(in.getLong(at), in.getLong(at + 8));
                    }
                }
                case GETATTR -> {
                    String path = path(node);
                    attr(unique, node, fs.stat(path), fs.stableSeconds(path));
                }
                case SETATTR -> setattr(in, unique, node);
                case MKDIR -> {
                    String path = child(node, name(in, IN_HEADER + 8));
                    fs.mkdir(path, in.getInt(IN_HEADER), uid);
                    entry(unique, remember(path), fs.stat(path), 0);
                }
                case RMDIR -> {
                    String path = child(node, name(in, IN_HEADER));
                    fs.rmdir(path, uid);
                    // The kernel marks the removed folder's inode dead: a folder made again under the same name (and
                    // what is in it) must get new node ids, or the kernel would find that dead inode and refuse to
                    // create in it (ENOENT). The old ids stay known until the kernel forgets them.
                    ids.keySet().removeIf(k -> k.equals(path) || k.startsWith(path + "/"));
                    empty(unique);
                }
                case OPENDIR -> {
                    List<String> names = new ArrayList<>(List.of(".", ".."));
                    String path = path(node);
                    names.addAll(fs.list(path));
                    long h = nextHandle.getAndIncrement();
                    handles.put(h, new Listing(path, names));
                    openReply(reply, unique, h, 0);
                }
                case READDIR -> readdir(in, unique);
                case RELEASEDIR -> {
                    handles.remove(in.getLong(IN_HEADER));
                    empty(unique);
                }
                case OPEN -> {
                    String path = path(node);
                    int flags = in.getInt(IN_HEADER);
                    if (fs.opensSlowly(path)) {
                        return slow(unique, null, () -> open(workerReply(), unique, path, flags, uid));
                    }
                    open(reply, unique, path, flags, uid);
                }
                case READ -> {
                    long h = in.getLong(IN_HEADER);
                    long offset = in.getLong(IN_HEADER + 8);
                    int size = in.getInt(IN_HEADER + 16);
                    boolean nonBlocking = (in.getInt(IN_HEADER + 32) & O_NONBLOCK) != 0;
                    Object handle = handles.get(h);
                    if (!(handle instanceof FuseFile f)) {
                        error(reply, unique, 9 /* EBADF */);
                    } else if (f.mayWait(nonBlocking)) {
                        return slow(unique, null, () -> read(f, replyFor(size), unique, offset, size, nonBlocking));
                    } else if (f.slow()) {
                        read(f, inlineReply(size), unique, offset, size, nonBlocking);
                    } else {
                        // A short read of an attribute is fine: the caller reads again for the rest.
                        read(f, reply, unique, offset, Math.min(size, reply.capacity() - OUT_HEADER), nonBlocking);
                    }
                }
                case WRITE -> {
                    long h = in.getLong(IN_HEADER);
                    long offset = in.getLong(IN_HEADER + 8);
                    int size = in.getInt(IN_HEADER + 16);
                    boolean nonBlocking = (in.getInt(IN_HEADER + 32) & O_NONBLOCK) != 0;
                    Object handle = handles.get(h);
                    in.position(IN_HEADER + 40).limit(IN_HEADER + 40 + size);
                    if (!(handle instanceof FuseFile f)) {
                        error(reply, unique, 9 /* EBADF */);
                    } else if (f.writeMayWait(nonBlocking)) {
                        return slow(unique, in, () -> write(f, in, workerReply(), unique, offset,
                                nonBlocking));
                    } else {
                        write(f, in, reply, unique, offset, nonBlocking);
                    }
                }
                case RELEASE -> {
                    Object handle = handles.remove(in.getLong(IN_HEADER));
                    if (handle instanceof FuseFile f && f.slow()) {
                        return slow(unique, null, () -> {
                            f.release();
                            send(workerReply(), unique, 0, 0);
                        });
                    }
                    if (handle instanceof FuseFile f) {
                        f.release();
                    }
                    empty(unique);
                }
                case FLUSH -> {
                    Object handle = handles.get(in.getLong(IN_HEADER));
                    if (handle instanceof FuseFile f && f.slow()) {
                        return slow(unique, null, () -> {
                            f.flush();
                            send(workerReply(), unique, 0, 0);
                        });
                    }
                    empty(unique); // never ENOSYS: the kernel would stop flushing every file of the mount
                }
                case POLL -> poll(in, unique);
                case INTERRUPT -> {
                    Request r = inFlight.get(in.getLong(IN_HEADER));
                    if (r != null) {
                        interrupt(r);
                    }
                }
                case STATFS -> {
                    reply.clear();
                    for (int i = 0; i < 80; i++) {
                        reply.put(OUT_HEADER + i, (byte) 0);
                    }
                    reply.putInt(OUT_HEADER + 40, 4096);
                    reply.putInt(OUT_HEADER + 44, 255);
                    reply.putInt(OUT_HEADER + 48, 4096);
                    send(reply, unique, 0, 80);
                }
                case ACCESS, FSYNC, FSYNCDIR -> empty(unique);
                case DESTROY -> empty(unique);
                case CREATE -> error(reply, unique, EACCES);
                case UNLINK, MKNOD, SYMLINK, LINK, RENAME, RENAME2, READLINK -> error(reply, unique, EPERM);
                case IOCTL -> error(reply, unique, ENOTTY);
                default -> error(reply, unique, ENOSYS); // xattrs, locks, lseek...: not offered
            }
        } catch (FuseError e) {
            error(reply, unique, e.errno());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "FUSE request " + opcode + " failed", e);
            error(reply, unique, EIO);
        }
        return false;
    }

    private static ByteBuffer workerReply() {
        ByteBuffer b = WORKER_REPLY.get();
        if (b == null) {
            b = direct(64 * 1024);
            WORKER_REPLY.set(b);
        }
        return b;
    }

    /** An action of a worker; failures become the errno answered. */
    private interface Work {
        void run() throws IOException;
    }

    /**
     * Runs {@code work} on a worker; registered before the next request is read, so an INTERRUPT for it always finds
     * it. Returns whether {@code buffer} went with it (it comes back to the spares when the work is done).
     */
    private boolean slow(long unique, ByteBuffer buffer, Work work) {
        Request r = new Request();
        inFlight.put(unique, r);
        try {
            workers.execute(() -> {
                try {
                    synchronized (r) {
                        r.thread = Thread.currentThread();
                        if (r.interrupted) {
                            throw new InterruptedIOException();
                        }
                    }
                    work.run();
                } catch (FuseError e) {
                    error(workerReply(), unique, e.errno());
                } catch (InterruptedIOException e) {
                    error(workerReply(), unique, FuseCalls.EINTR);
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "FUSE request failed", e);
                    error(workerReply(), unique, EIO);
                } finally {
                    synchronized (r) {
                        r.done = true;
                        r.thread = null;
                    }
                    Thread.interrupted(); // an interrupt that came too late to matter must not hit the next request
                    inFlight.remove(unique);
                    if (buffer != null) {
                        giveBack(buffer);
                    }
                }
            });
            return buffer != null;
        } catch (RejectedExecutionException e) {
            inFlight.remove(unique);
            error(reply, unique, FuseCalls.EAGAIN);
            return false;
        }
    }

    private void interrupt(Request r) {
        synchronized (r) {
            if (!r.done) {
                r.interrupted = true;
                if (r.thread != null) {
                    r.thread.interrupt();
                }
            }
        }
    }

    // ---- requests -----------------------------------------------------------------------------------------------

    private void init(ByteBuffer in, long unique) {
        int kernelMajor = in.getInt(IN_HEADER);
        int kernelReadahead = in.getInt(IN_HEADER + 8);
        int kernelFlags = in.getInt(IN_HEADER + 12);
        reply.clear();
        for (int i = 0; i < 64; i++) {
            reply.put(OUT_HEADER + i, (byte) 0);
        }
        reply.putInt(OUT_HEADER, MAJOR);
        if (kernelMajor != MAJOR) {
            send(reply, unique, 0, 8);
            return;
        }
        reply.putInt(OUT_HEADER + 4, MINOR);
        reply.putInt(OUT_HEADER + 8, kernelReadahead);
        reply.putInt(OUT_HEADER + 12, kernelFlags & (FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_MAX_PAGES));
        reply.putShort(OUT_HEADER + 16, (short) 16); // max_background
        reply.putShort(OUT_HEADER + 18, (short) 12); // congestion_threshold
        reply.putInt(OUT_HEADER + 20, MAX_WRITE);
        reply.putInt(OUT_HEADER + 24, 1); // time_gran
        reply.putShort(OUT_HEADER + 28, (short) (MAX_WRITE / 4096)); // max_pages
        send(reply, unique, 0, 64);
    }

    private String path(long node) throws FuseError {
        String p = paths.get(node);
        if (p == null) {
            throw new FuseError(FuseCalls.ENOENT, "unknown node " + node);
        }
        return p;
    }

    private String child(long node, String name) throws FuseError {
        String parent = path(node);
        if (name.equals(".")) {
            return parent;
        }
        if (name.equals("..")) {
            int slash = parent.lastIndexOf('/');
            return slash <= 0 ? "/" : parent.substring(0, slash);
        }
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    private static String name(ByteBuffer in, int at) {
        int end = at;
        while (end < in.limit() && in.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - at];
        in.get(at, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Counts one more kernel reference to the node of {@code path}, making it if new. */
    private long remember(String path) {
        Long id = ids.get(path);
        if (id == null) {
            id = nextId++;
            ids.put(path, id);
            paths.put(id, path);
        }
        lookups.merge(id, 1L, Long::sum);
        return id;
    }

    private void forget(long node, long n) {
        if (node == 1) {
            return;
        }
        Long left = lookups.computeIfPresent(node, (k, v) -> v - n > 0 ? v - n : null);
        if (left == null) {
            String p = paths.remove(node);
            if (p != null) {
                ids.remove(p, node); // the path may have a newer node by now
            }
        }
    }

    private void putAttr(ByteBuffer b, int at, long ino, FuseFs.Attr a) {
        b.putLong(at, ino);
        b.putLong(at + 8, a.size());
        b.putLong(at + 16, (a.size() + 511) / 512);
        b.putLong(at + 24, startSeconds);
        b.putLong(at + 32, startSeconds);
        b.putLong(at + 40, startSeconds);
        b.putInt(at + 48, 0);
        b.putInt(at + 52, 0);
        b.putInt(at + 56, 0);
        b.putInt(at + 60, a.mode());
        b.putInt(at + 64, a.isDirectory() ? 2 : 1);
        b.putInt(at + 68, a.uid());
        b.putInt(at + 72, a.gid());
        b.putInt(at + 76, 0);
        b.putInt(at + 80, 4096);
        b.putInt(at + 84, 0);
    }

    private void entry(long unique, long node, FuseFs.Attr a, int validSeconds) {
        reply.clear();
        reply.putLong(OUT_HEADER, node);
        reply.putLong(OUT_HEADER + 8, 0); // generation
        reply.putLong(OUT_HEADER + 16, validSeconds); // entry_valid
        reply.putLong(OUT_HEADER + 24, validSeconds); // attr_valid
        reply.putInt(OUT_HEADER + 32, 0);
        reply.putInt(OUT_HEADER + 36, 0);
        putAttr(reply, OUT_HEADER + 40, node, a);
        send(reply, unique, 0, 128);
    }

    private void attr(long unique, long node, FuseFs.Attr a, int validSeconds) {
        reply.clear();
        reply.putLong(OUT_HEADER, validSeconds);
        reply.putInt(OUT_HEADER + 8, 0);
        reply.putInt(OUT_HEADER + 12, 0);
        putAttr(reply, OUT_HEADER + 16, node, a);
        send(reply, unique, 0, 104);
    }

    private void setattr(ByteBuffer in, long unique, long node) throws FuseError {
        int valid = in.getInt(IN_HEADER);
        String path = path(node);
        // fuse_setattr_in: valid, padding, fh, size, lock_owner, atime, mtime, ctime, three nsecs, mode, unused, uid,
        // gid, unused.
        fs.setattr(path, (valid & FATTR_MODE) != 0 ? in.getInt(IN_HEADER + 68) : null,
                (valid & FATTR_UID) != 0 ? in.getInt(IN_HEADER + 76) : null,
                (valid & FATTR_GID) != 0 ? in.getInt(IN_HEADER + 80) : null,
                (valid & FATTR_SIZE) != 0 ? in.getLong(IN_HEADER + 16) : null);
        attr(unique, node, fs.stat(path), 0);
    }

    private void readdir(ByteBuffer in, long unique) throws FuseError {
        if (!(handles.get(in.getLong(IN_HEADER)) instanceof Listing listing)) {
            throw new FuseError(9, "not an open directory");
        }
        long offset = in.getLong(IN_HEADER + 8);
        int size = Math.min(in.getInt(IN_HEADER + 16), reply.capacity() - OUT_HEADER);
        reply.clear();
        int at = OUT_HEADER;
        for (int i = (int) offset; i < listing.names.size(); i++) {
            String name = listing.names.get(i);
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            int len = (24 + b.length + 7) & ~7;
            if (at - OUT_HEADER + len > size) {
                break;
            }
            String full = name.equals(".") || name.equals("..") ? listing.path
                    : (listing.path.equals("/") ? "/" + name : listing.path + "/" + name);
            int type;
            try {
                type = fs.stat(full).isDirectory() ? 4 : 8; // DT_DIR, DT_REG
            } catch (FuseError e) {
                type = 0; // gone since the listing: DT_UNKNOWN
            }
            reply.putLong(at, (full.hashCode() & 0x7fffffffL) + 2);
            reply.putLong(at + 8, i + 1);
            reply.putInt(at + 16, b.length);
            reply.putInt(at + 20, type);
            reply.put(at + 24, b);
            for (int p = at + 24 + b.length; p < at + len; p++) {
                reply.put(p, (byte) 0);
            }
            at += len;
        }
        send(reply, unique, 0, at - OUT_HEADER);
    }

    private void open(ByteBuffer out, long unique, String path, int flags, int uid) throws IOException {
        FuseFile f = fs.open(path, flags, uid);
        long h = nextHandle.getAndIncrement();
        handles.put(h, f);
        if (closing) {
            handles.remove(h);
            f.release();
            throw new FuseError(FuseCalls.ENODEV, "unmounting");
        }
        openReply(out, unique, h, FOPEN_DIRECT_IO | (f.slow() ? FOPEN_NONSEEKABLE | FOPEN_STREAM : 0));
    }

    private void openReply(ByteBuffer out, long unique, long handle, int openFlags) {
        out.clear();
        out.putLong(OUT_HEADER, handle);
        out.putInt(OUT_HEADER + 8, openFlags);
        out.putInt(OUT_HEADER + 12, 0);
        send(out, unique, 0, 16);
    }

    private void read(FuseFile f, ByteBuffer out, long unique, long offset, int size, boolean nonBlocking)
            throws IOException {
        out.clear();
        out.position(OUT_HEADER).limit(OUT_HEADER + size);
        int n = f.read(out, offset, nonBlocking);
        send(out, unique, 0, Math.max(0, n));
    }

    /** The dispatcher's buffer for a device read it answers itself (a non-blocking one), grown as needed. */
    private ByteBuffer inlineReply(int size) {
        if (bigReply == null || bigReply.capacity() < OUT_HEADER + size) {
            bigReply = direct(OUT_HEADER + Math.max(size, 256 * 1024));
        }
        return bigReply;
    }

    /** A worker's reply buffer with room for {@code size} bytes of data. */
    private static ByteBuffer replyFor(int size) {
        ByteBuffer b = workerReply();
        if (b.capacity() >= OUT_HEADER + size) {
            return b;
        }
        ByteBuffer bigger = direct(OUT_HEADER + Math.max(size, MAX_WRITE));
        WORKER_REPLY.set(bigger);
        return bigger;
    }

    private void write(FuseFile f, ByteBuffer data, ByteBuffer out, long unique, long offset, boolean nonBlocking)
            throws IOException {
        int n = f.write(data, offset, nonBlocking);
        out.clear();
        out.putInt(OUT_HEADER, n);
        out.putInt(OUT_HEADER + 4, 0);
        send(out, unique, 0, 8);
    }

    private void poll(ByteBuffer in, long unique) {
        Object handle = handles.get(in.getLong(IN_HEADER));
        long kh = in.getLong(IN_HEADER + 8);
        boolean notify = (in.getInt(IN_HEADER + 16) & POLL_SCHEDULE_NOTIFY) != 0;
        int events = in.getInt(IN_HEADER + 20);
        int ready;
        if (handle instanceof FuseFile f) {
            ready = f.poll(events, notify ? () -> wakePoller(kh) : null);
        } else {
            ready = 0x8 | 0x20; // POLLERR | POLLNVAL
        }
        reply.clear();
        reply.putInt(OUT_HEADER, ready);
        reply.putInt(OUT_HEADER + 4, 0);
        send(reply, unique, 0, 8);
    }

    /** Tells the kernel that pollers of {@code kh} should look again. */
    private void wakePoller(long kh) {
        synchronized (notice) {
            notice.clear();
            notice.putInt(0, OUT_HEADER + 8);
            notice.putInt(4, NOTIFY_POLL);
            notice.putLong(8, 0);
            notice.putLong(OUT_HEADER, kh);
            notice.limit(OUT_HEADER + 8);
            int r = FuseCalls.write(fd, notice);
            if (r < 0 && -r != FuseCalls.ENOENT && !closing) {
                LOG.log(System.Logger.Level.DEBUG, "poll wake-up failed with errno " + -r);
            }
        }
    }

    private void empty(long unique) {
        send(reply, unique, 0, 0);
    }

    private void error(ByteBuffer out, long unique, int errno) {
        send(out, unique, -errno, 0);
    }

    /** Sends the reply whose payload is already at {@code OUT_HEADER..}. */
    private void send(ByteBuffer out, long unique, int error, int payload) {
        out.putInt(0, OUT_HEADER + payload);
        out.putInt(4, error);
        out.putLong(8, unique);
        out.position(0).limit(OUT_HEADER + payload);
        int r = FuseCalls.write(fd, out);
        // ENOENT: the request was given up (its caller was interrupted or killed) before the reply.
        if (r < 0 && -r != FuseCalls.ENOENT && !closing) {
            LOG.log(System.Logger.Level.WARNING, "a FUSE reply failed with errno " + -r);
        }
    }

    /** An open directory: what it held when opened, as readdir pages through it. */
    private record Listing(String path, List<String> names) {
    }
}
