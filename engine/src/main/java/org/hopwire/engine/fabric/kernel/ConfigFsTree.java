package org.hopwire.engine.fabric.kernel;

import java.nio.file.Path;
import java.util.Objects;

import org.hopwire.engine.fabric.Errno;

/**
 * ConfigFS changes below one root folder that never follow a symbolic link and never leave the root: the system calls
 * of the privileged helper ({@code org.hopwire.engine.helper.PrivilegedHelper}).
 *
 * <p>Every operation opens the root afresh, one path component at a time from {@code /} with {@code O_NOFOLLOW}
 * (so a driver reloaded meanwhile is met as it is now), then walks to its target with {@code openat},
 * {@code mkdirat}, {@code unlinkat} relative to the descriptors it holds, each with {@code O_NOFOLLOW|O_DIRECTORY}
 * where a folder is meant. Names are single path components: one holding a {@code /}, a NUL, or being {@code .} or
 * {@code ..} is refused with EINVAL before any call. Failures are {@link SyscallException}s with the call's errno.
 */
public final class ConfigFsTree {
    private final Path root;

    /** @param root an absolute folder, e.g. {@code /sys/kernel/config/thunderbolt/stream} */
    public ConfigFsTree(Path root) {
        this.root = Objects.requireNonNull(root, "root");
        if (!root.isAbsolute()) {
            throw new IllegalArgumentException("the ConfigFS root must be an absolute path: " + root);
        }
    }

    public Path root() {
        return root;
    }

    /** The effective user id of this process. */
    public static int effectiveUid() {
        return LinuxCalls.effectiveUid();
    }

    /** {@code mkdir <root>/<service>}. */
    public void mkdirGroup(String service) throws SyscallException {
        int r = openRoot();
        try {
            LinuxCalls.mkdirAt(r, component(service));
        } finally {
            LinuxCalls.close(r);
        }
    }

    /** {@code rmdir <root>/<service>}. */
    public void rmdirGroup(String service) throws SyscallException {
        int r = openRoot();
        try {
            LinuxCalls.rmdirAt(r, component(service));
        } finally {
            LinuxCalls.close(r);
        }
    }

    /** {@code mkdir <root>/<service>/<name>}. */
    public void mkdirStream(String service, String name) throws SyscallException {
        String n = component(name);
        int group = openGroup(service);
        try {
            LinuxCalls.mkdirAt(group, n);
        } finally {
            LinuxCalls.close(group);
        }
    }

    /** {@code rmdir <root>/<service>/<name>}. */
    public void rmdirStream(String service, String name) throws SyscallException {
        String n = component(name);
        int group = openGroup(service);
        try {
            LinuxCalls.rmdirAt(group, n);
        } finally {
            LinuxCalls.close(group);
        }
    }

    /** Writes {@code value} and a newline to {@code <root>/<service>/<name>/<attribute>} in one {@code write(2)}. */
    public void writeAttribute(String service, String name, String attribute, String value) throws SyscallException {
        String n = component(name);
        String a = component(attribute);
        int group = openGroup(service);
        try {
            int stream = LinuxCalls.openDirectoryAt(group, n);
            try {
                LinuxCalls.writeAttributeAt(stream, a, value);
            } finally {
                LinuxCalls.close(stream);
            }
        } finally {
            LinuxCalls.close(group);
        }
    }

    private int openRoot() throws SyscallException {
        return LinuxCalls.openDirectoryNoFollow(root);
    }

    private int openGroup(String service) throws SyscallException {
        String s = component(service);
        int r = openRoot();
        try {
            return LinuxCalls.openDirectoryAt(r, s);
        } finally {
            LinuxCalls.close(r);
        }
    }

    private static String component(String name) throws SyscallException {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new SyscallException(Errno.EINVAL, "refused (not a single path component)", String.valueOf(name));
        }
        return name;
    }
}
