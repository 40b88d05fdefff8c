package org.hopwire.engine.fabric;

/** This process may not write ConfigFS or open the stream device (EACCES or EPERM). */
public class PermissionDeniedException extends FabricException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(Errno.EACCES, message);
    }

    public PermissionDeniedException(String message, Throwable cause) {
        super(Errno.EACCES, message, cause);
    }
}
