package org.hopwire.engine.emulator.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The system calls of the FUSE server, through JNA: open {@code /dev/fuse}, {@code mount(2)} it, move requests and
 * replies, {@code umount2(2)}. The only class of the emulator that calls native code.
 */
final class FuseCalls {
    static final int EINTR = 4;
    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int ENODEV = 19;

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final int MNT_DETACH = 2;

    private FuseCalls() {
    }

    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        static native int open(byte[] path, int flags);

        static native int close(int fd);

        static native long read(int fd, Pointer buf, long count);

        static native long write(int fd, Pointer buf, long count);

        static native int mount(byte[] source, byte[] target, byte[] type, long flags, byte[] data);

        static native int umount2(byte[] target, int flags);

        static native int getuid();

        static native int getgid();
    }

    /** A failed call with its errno. */
    static final class CallFailed extends IOException {
        private static final long serialVersionUID = 1L;
        final int errno;

        CallFailed(String call, int errno) {
            super(call + " failed: errno " + errno);
            this.errno = errno;
        }
    }

    private static byte[] c(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    static int openFuseDevice() throws CallFailed {
        int fd = Libc.open(c("/dev/fuse"), O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            throw new CallFailed("open /dev/fuse", Native.getLastError());
        }
        return fd;
    }

    /** Mounts the FUSE connection {@code fd} on {@code dir}, letting every user in and the kernel check modes. */
    static void mount(int fd, Path dir, String name) throws CallFailed {
        String data = "fd=" + fd + ",rootmode=40000,user_id=" + Libc.getuid() + ",group_id=" + Libc.getgid()
                + ",default_permissions,allow_other";
        if (Libc.mount(c(name), c(dir.toString()), c("fuse." + name), MS_NOSUID | MS_NODEV, c(data)) < 0) {
            throw new CallFailed("mount " + dir, Native.getLastError());
        }
    }

    /** Detaches the mount; the server's read then ends with ENODEV. */
    static void unmount(Path dir) throws CallFailed {
        if (Libc.umount2(c(dir.toString()), MNT_DETACH) < 0) {
            throw new CallFailed("umount " + dir, Native.getLastError());
        }
    }

    static void close(int fd) {
        Libc.close(fd);
    }

    static int uid() {
        return Libc.getuid();
    }

    /** One read of a request into {@code dst} from 0; returns its length, or -errno. */
    static int read(int fd, ByteBuffer dst) {
        long n = Libc.read(fd, Native.getDirectBufferPointer(dst), dst.capacity());
        return n < 0 ? -Native.getLastError() : (int) n;
    }

    /** One write of {@code src} from 0 to its limit; returns 0, or -errno. */
    static int write(int fd, ByteBuffer src) {
        long n = Libc.write(fd, Native.getDirectBufferPointer(src), src.limit());
        return n < 0 ? -Native.getLastError() : 0;
    }
}
