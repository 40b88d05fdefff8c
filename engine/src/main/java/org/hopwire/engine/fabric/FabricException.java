package org.hopwire.engine.fabric;

import java.io.IOException;
import java.util.Objects;

/**
 * A fabric operation failed; the message says what happened and what the person can do about it.
 *
 * <p>Subclasses name the failures a person meets. {@link #errno()} is the kernel's error where there is one.
 */
public class FabricException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    public FabricException(Errno errno, String message) {
        super(message);
        this.errno = Objects.requireNonNull(errno, "errno");
    }

    public FabricException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = Objects.requireNonNull(errno, "errno");
    }

    /** The kernel error this failure corresponds to. */
    public Errno errno() {
        return errno;
    }
}
