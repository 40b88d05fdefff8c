package org.hopwire.engine.fabric;

/** A stream or service group of that name already exists (EEXIST). */
public class StreamExistsException extends FabricException {
    private static final long serialVersionUID = 1L;

    public StreamExistsException(String message) {
        super(Errno.EEXIST, message);
    }

    public StreamExistsException(String message, Throwable cause) {
        super(Errno.EEXIST, message, cause);
    }
}
