package org.hopwire.engine.emulator.fuse;

import java.io.IOException;

/** A file-system operation that fails with an errno, which the FUSE server sends back to the caller. */
public final class FuseError extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public FuseError(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
