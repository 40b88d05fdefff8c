package org.hopwire.engine.fabric.kernel;

import java.io.IOException;
import java.util.Objects;

import org.hopwire.engine.fabric.Errno;

/**
 * A system call on sysfs, ConfigFS or {@code /dev/tbstreamN} failed, with the errno it set, as a number.
 *
 * <p>This is how the {@link ConfigFs} and {@link DeviceOpener} seams report failures, whatever stands behind them
 * (the native calls, a privileged helper, a test's fake kernel): {@link KernelFabric} types the failure by
 * {@link #errno()} and never reads the message.
 */
public class SyscallException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int number;
    private final transient Errno errno;

    /**
     * @param number  the errno the call set
     * @param call    what was called, e.g. {@code "open"}
     * @param path    on what, or null
     */
    public SyscallException(int number, String call, String path) {
        super(describe(number, call, path));
        this.number = number;
        this.errno = Errno.of(number).orElse(Errno.EIO);
    }

    /** With a message of its own, for failures that are not one system call's (the privileged helper's). */
    protected SyscallException(String message, int number) {
        super(message);
        this.number = number;
        this.errno = Errno.of(number).orElse(Errno.EIO);
    }

    public SyscallException(Errno errno, String call, String path) {
        this(Objects.requireNonNull(errno, "errno").number(), call, path);
    }

    /** The errno, or {@link Errno#EIO} for a number this project does not name (see {@link #number()}). */
    public Errno errno() {
        return errno;
    }

    /** The errno as the call set it. */
    public int number() {
        return number;
    }

    private static String describe(int number, String call, String path) {
        String name = Errno.of(number).map(e -> e.name() + " (" + e.text() + ")").orElse("errno " + number);
        return call + (path == null ? "" : " " + path) + ": " + name;
    }
}
