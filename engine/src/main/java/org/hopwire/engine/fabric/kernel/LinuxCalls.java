package org.hopwire.engine.fabric.kernel;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The Linux system calls of the kernel adapter, made through JNA: the only engine class that calls native code.
 *
 * <p>Two things Java's own file API cannot give: the errno of a failed call as a number (the JDK only keeps the
 * {@code strerror} text, translated into the system's language), and device I/O that never blocks a thread beyond
 * a bound, so a {@code close()} from another thread can wake it ({@link NativeDeviceChannel}).
 *
 * <p>Failures are {@link SyscallException}s with the errno. The native library is bound on the first call, not
 * when this class loads, so a host without it still runs the emulated fabric; a call then throws
 * {@link IllegalStateException} saying why. The flag values are Linux's generic ones, the same on x86-64 and
 * AArch64, except {@link #O_DIRECTORY} and {@link #O_NOFOLLOW}, which AArch64 numbers differently.
 */
final class LinuxCalls {
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int O_RDONLY = 0;
    /** The two flags where AArch64 differs from x86-64 ({@code arch/arm64/include/uapi/asm/fcntl.h}). */
    static final int O_DIRECTORY = isAarch64() ? 0x4000 : 0x10000;
    static final int O_NOFOLLOW = isAarch64() ? 0x8000 : 0x20000;
    /** {@code unlinkat(2)}: remove a directory, as {@code rmdir(2)} does. */
    private static final int AT_REMOVEDIR = 0x200;

    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    private static final int EFD_NONBLOCK = O_NONBLOCK;
    private static final int EFD_CLOEXEC = O_CLOEXEC;

    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EIO = 5;

    /** What {@link #read} and {@link #write} return when the call would block or a signal came first. */
    static final int AGAIN = -1;

    /** 0777 less the umask, as {@code Files.createDirectory} does; ConfigFS ignores it anyway. */
    private static final int MKDIR_MODE = 0777;

    /** How the JDK encodes file names ({@code sun.jnu.encoding}): a {@link Path} must name the same file here. */
    private static final Charset PATH_CHARSET = pathCharset();

    private static Charset pathCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private LinuxCalls() {
    }

    private static boolean isAarch64() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("aarch64") || arch.equals("arm64");
    }

    /** libc, bound when this class initialises, which is on the first native call. */
    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        private Libc() {
        }

        // size_t and ssize_t are mapped to long: the platform check in Loader keeps this to 64-bit Linux.
        static native int open(byte[] path, int flags);

        static native int close(int fd);

        static native long read(int fd, Pointer buf, long count);

        static native long write(int fd, Pointer buf, long count);

        static native int poll(Pointer fds, long nfds, int timeoutMs);

        static native int eventfd(int initval, int flags);

        static native int mkdir(byte[] path, int mode);

        static native int rmdir(byte[] path);

        static native int openat(int dirFd, byte[] path, int flags);

        static native int mkdirat(int dirFd, byte[] path, int mode);

        static native int unlinkat(int dirFd, byte[] path, int flags);

        static native int geteuid();
    }

    /** Loads {@link Libc} once and remembers why it could not, so every later call says the same. */
    private static final class Loader {
        static final String FAILURE = load();

        private static String load() {
            try {
                if (!Platform.isLinux() || !Platform.is64Bit()) {
                    return "the kernel adapter's native calls are written for 64-bit Linux, not " + Platform.ARCH
                            + " " + System.getProperty("os.name");
                }
                Class.forName(Libc.class.getName(), true, LinuxCalls.class.getClassLoader());
                return null;
            } catch (LinkageError | ClassNotFoundException e) {
                return "JNA could not load the C library (" + e + "): the kernel fabric needs JNA and its native"
                        + " part (libjnidispatch, unpacked into jna.tmpdir) for its system calls;"
                        + " the emulated fabric does not";
            }
        }
    }

    private static void requireLoaded() {
        if (Loader.FAILURE != null) {
            throw new IllegalStateException(Loader.FAILURE);
        }
    }

    private static SyscallException failure(String call, Path path) {
        return new SyscallException(Native.getLastError(), call, path == null ? null : path.toString());
    }

    /** {@code open(2)} of a character device for reading and writing, without waiting for it to be ready. */
    static int openDevice(Path device) throws SyscallException {
        return open(device, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    }

    /** {@code open(2)} with the given flags (never {@code O_CREAT}: no mode is passed). */
    static int open(Path path, int flags) throws SyscallException {
        requireLoaded();
        byte[] name = cString(path);
        while (true) {
            int fd = Libc.open(name, flags);
            if (fd >= 0) {
                return fd;
            }
            SyscallException e = failure("open", path);
            if (e.number() != EINTR) {
                throw e;
            }
        }
    }

    /** {@code close(2)}; on Linux the fd is gone even when it reports an error, so it is never retried. */
    static void close(int fd) throws SyscallException {
        requireLoaded();
        if (Libc.close(fd) < 0) {
            SyscallException e = failure("close", null);
            if (e.number() != EINTR) {
                throw e;
            }
        }
    }

    /** {@code mkdir(2)}. */
    static void mkdir(Path dir) throws SyscallException {
        requireLoaded();
        if (Libc.mkdir(cString(dir), MKDIR_MODE) < 0) {
            throw failure("mkdir", dir);
        }
    }

    /** {@code rmdir(2)}. */
    static void rmdir(Path dir) throws SyscallException {
        requireLoaded();
        if (Libc.rmdir(cString(dir)) < 0) {
            throw failure("rmdir", dir);
        }
    }

    /** The effective user id of this process ({@code geteuid(2)}, which cannot fail). */
    static int effectiveUid() {
        requireLoaded();
        return Libc.geteuid();
    }

    /**
     * {@code openat(2)} of a directory entry that must itself be a directory, never following a symbolic link: a
     * link there fails (ELOOP or ENOTDIR) instead of leading elsewhere. {@code dirFd} -1 is not allowed: the
     * name is relative to a descriptor the caller holds.
     */
    static int openDirectoryAt(int dirFd, String name) throws SyscallException {
        return openAt(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }

    /**
     * Opens an absolute directory path one component at a time from {@code /}, each with {@code O_NOFOLLOW}: no
     * symbolic link anywhere on the way is followed (a link fails with ELOOP or ENOTDIR).
     */
    static int openDirectoryNoFollow(Path absolute) throws SyscallException {
        if (!absolute.isAbsolute()) {
            throw new SyscallException(22, "open (not an absolute path)", absolute.toString());
        }
        for (Path component : absolute) {
            if (component.toString().equals("..") || component.toString().equals(".")) {
                throw new SyscallException(22, "open (a '.' or '..' in the path)", absolute.toString());
            }
        }
        int fd = open(absolute.getRoot(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (Path component : absolute) {
            int next;
            try {
                next = openDirectoryAt(fd, component.toString());
            } catch (SyscallException e) {
                closeQuietly(fd, e);
                throw e;
            }
            close(fd);
            fd = next;
        }
        return fd;
    }

    private static int openAt(int dirFd, String name, int flags) throws SyscallException {
        requireLoaded();
        byte[] c = cString(name);
        while (true) {
            int fd = Libc.openat(dirFd, c, flags);
            if (fd >= 0) {
                return fd;
            }
            SyscallException e = new SyscallException(Native.getLastError(), "openat", name);
            if (e.number() != EINTR) {
                throw e;
            }
        }
    }

    /** {@code mkdirat(2)}: a directory named {@code name} in the directory {@code dirFd}. */
    static void mkdirAt(int dirFd, String name) throws SyscallException {
        requireLoaded();
        if (Libc.mkdirat(dirFd, cString(name), MKDIR_MODE) < 0) {
            throw new SyscallException(Native.getLastError(), "mkdirat", name);
        }
    }

    /** {@code unlinkat(2)} with {@code AT_REMOVEDIR}: removes an empty directory; a symbolic link fails (ENOTDIR). */
    static void rmdirAt(int dirFd, String name) throws SyscallException {
        requireLoaded();
        if (Libc.unlinkat(dirFd, cString(name), AT_REMOVEDIR) < 0) {
            throw new SyscallException(Native.getLastError(), "unlinkat", name);
        }
    }

    /** {@link #writeAttribute(Path, String)} for an attribute in the directory {@code dirFd}, never following a link. */
    static void writeAttributeAt(int dirFd, String name, String value) throws SyscallException {
        writeAll(openAt(dirFd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC), value, name);
    }

    /**
     * Writes {@code value} and a newline to an existing attribute in one {@code write(2)}, as ConfigFS and sysfs
     * want it: a store sees only what one write brought, so a short write is reported as EIO, not continued.
     */
    static void writeAttribute(Path attribute, String value) throws SyscallException {
        writeAll(open(attribute, O_WRONLY | O_CLOEXEC), value, attribute.toString());
    }

    /** Writes the value and a newline to {@code fd} in one call, then closes it. */
    private static void writeAll(int fd, String value, String attribute) throws SyscallException {
        byte[] bytes = (value + "\n").getBytes(StandardCharsets.US_ASCII);
        try (Memory text = new Memory(bytes.length)) {
            text.write(0, bytes, 0, bytes.length);
            long n;
            do {
                n = Libc.write(fd, text, bytes.length);
            } while (n < 0 && Native.getLastError() == EINTR);
            if (n < 0) {
                throw new SyscallException(Native.getLastError(), "write", attribute);
            }
            if (n != bytes.length) {
                throw new SyscallException(EIO, "write (" + n + " of " + bytes.length + " bytes)", attribute);
            }
        } catch (SyscallException e) {
            closeQuietly(fd, e);
            throw e;
        }
        close(fd);
    }

    private static void closeQuietly(int fd, Exception pending) {
        try {
            close(fd);
        } catch (SyscallException e) {
            pending.addSuppressed(e);
        }
    }

    /**
     * One {@code read(2)} into a direct buffer at its position: the bytes read (0 at end of file), the position
     * moved past them, or {@link #AGAIN} on EAGAIN or EINTR.
     */
    static int read(int fd, ByteBuffer dst) throws SyscallException {
        requireLoaded();
        int pos = dst.position();
        long n = Libc.read(fd, at(dst, pos), dst.limit() - pos);
        if (n < 0) {
            return again("read");
        }
        dst.position(pos + (int) n);
        return (int) n;
    }

    /**
     * One {@code write(2)} from a direct buffer at its position: the bytes written (maybe fewer than remain), the
     * position moved past them, or {@link #AGAIN} on EAGAIN or EINTR.
     */
    static int write(int fd, ByteBuffer src) throws SyscallException {
        requireLoaded();
        int pos = src.position();
        long n = Libc.write(fd, at(src, pos), src.limit() - pos);
        if (n < 0) {
            return again("write");
        }
        src.position(pos + (int) n);
        return (int) n;
    }

    private static int again(String call) throws SyscallException {
        int errno = Native.getLastError();
        if (errno == EAGAIN || errno == EINTR) {
            return AGAIN;
        }
        throw new SyscallException(errno, call, null);
    }

    private static Pointer at(ByteBuffer buffer, int position) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("a system call needs a direct buffer");
        }
        return Native.getDirectBufferPointer(buffer).share(position);
    }

    /** An {@code eventfd(2)} that never blocks and is closed on exec, counting from 0. */
    static int eventFd() throws SyscallException {
        requireLoaded();
        int fd = Libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw failure("eventfd", null);
        }
        return fd;
    }

    /** Adds 1 to an eventfd's counter, which makes it readable for every poll until it is read. */
    static void signal(int eventFd) throws SyscallException {
        requireLoaded();
        try (Memory one = new Memory(Long.BYTES)) {
            one.setLong(0, 1);
            long n;
            do {
                n = Libc.write(eventFd, one, Long.BYTES);
            } while (n < 0 && Native.getLastError() == EINTR);
            // EAGAIN only when the counter is about to overflow: it is readable already, which is all we want.
            if (n < 0 && Native.getLastError() != EAGAIN) {
                throw failure("write", null);
            }
        }
    }

    /**
     * {@code poll(2)} on one fd and a wake-up eventfd, with a native array kept for the pair so a loop of polls
     * allocates nothing. One thread at a time may use an instance.
     */
    static final class PollPair {
        private static final int POLLFD_BYTES = 8;
        private static final int EVENTS = 4;
        private static final int REVENTS = 6;

        private final Memory fds = new Memory(2 * POLLFD_BYTES);

        /**
         * @param fd      the fd whose readiness is asked
         * @param wakeFd  an eventfd; once readable, {@link #woken()} is true after the next poll
         * @param events  {@link #POLLIN} or {@link #POLLOUT}
         */
        PollPair(int fd, int wakeFd, short events) {
            requireLoaded();
            fds.clear();
            fds.setInt(0, fd);
            fds.setShort(EVENTS, events);
            fds.setInt(POLLFD_BYTES, wakeFd);
            fds.setShort(POLLFD_BYTES + EVENTS, POLLIN);
        }

        /** Waits up to {@code timeoutMs}: the fd's {@code revents}, 0 on a timeout or EINTR. */
        int poll(int timeoutMs) throws SyscallException {
            fds.setShort(REVENTS, (short) 0);
            fds.setShort(POLLFD_BYTES + REVENTS, (short) 0);
            if (Libc.poll(fds, 2, timeoutMs) < 0) {
                int errno = Native.getLastError();
                if (errno == EINTR) {
                    return 0;
                }
                throw new SyscallException(errno, "poll", null);
            }
            return fds.getShort(REVENTS);
        }

        /** Whether the last {@link #poll} found the eventfd signalled. */
        boolean woken() {
            return fds.getShort(POLLFD_BYTES + REVENTS) != 0;
        }
    }

    /** A path as the NUL-terminated bytes the kernel takes. */
    private static byte[] cString(Path path) {
        return cString(path.toString());
    }

    private static byte[] cString(String path) {
        byte[] name = path.getBytes(PATH_CHARSET);
        byte[] c = new byte[name.length + 1];
        System.arraycopy(name, 0, c, 0, name.length);
        return c;
    }
}
