package org.hopwire.engine.fabric;

/** The thunderbolt_stream driver or ConfigFS is not there, so streams cannot be configured. */
public class DriverNotLoadedException extends FabricException {
    private static final long serialVersionUID = 1L;

    public DriverNotLoadedException(String message) {
        super(Errno.ENOENT, message);
    }

    public DriverNotLoadedException(String message, Throwable cause) {
        super(Errno.ENOENT, message, cause);
    }
}
