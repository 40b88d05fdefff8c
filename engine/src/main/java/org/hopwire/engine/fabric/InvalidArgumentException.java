package org.hopwire.engine.fabric;

/** The driver rejected a value (EINVAL): a malformed service name, or a ring size, throttling or HopID out of range. */
public class InvalidArgumentException extends FabricException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String message) {
        super(Errno.EINVAL, message);
    }

    public InvalidArgumentException(String message, Throwable cause) {
        super(Errno.EINVAL, message, cause);
    }
}
