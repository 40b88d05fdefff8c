package org.hopwire.engine.fabric;

/**
 * The driver rejected a value: a malformed service name, or a ring size, throttling or HopID out of range (EINVAL),
 * or a number too large to parse at all (ERANGE).
 */
public class InvalidArgumentException extends FabricException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String message) {
        super(Errno.EINVAL, message);
    }

    public InvalidArgumentException(String message, Throwable cause) {
        super(Errno.EINVAL, message, cause);
    }

    /** For the kernel's other answer to a bad number, ERANGE. */
    protected InvalidArgumentException(Errno errno, String message) {
        super(errno, message);
    }

    /** A number the kernel's {@code kstrtoint} could not hold (ERANGE). */
    public static InvalidArgumentException overflow(String message) {
        return new InvalidArgumentException(Errno.ERANGE, message);
    }
}
