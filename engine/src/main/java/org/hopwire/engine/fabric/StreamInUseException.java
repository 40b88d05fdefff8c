package org.hopwire.engine.fabric;

/** A stream attribute cannot change while its device is open (EBUSY). */
public class StreamInUseException extends FabricException {
    private static final long serialVersionUID = 1L;

    public StreamInUseException(String message) {
        super(Errno.EBUSY, message);
    }

    public StreamInUseException(String message, Throwable cause) {
        super(Errno.EBUSY, message, cause);
    }
}
