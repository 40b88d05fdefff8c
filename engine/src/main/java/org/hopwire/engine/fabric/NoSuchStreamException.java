package org.hopwire.engine.fabric;

/** The named service group or stream does not exist (ENOENT). */
public class NoSuchStreamException extends FabricException {
    private static final long serialVersionUID = 1L;

    public NoSuchStreamException(String message) {
        super(Errno.ENOENT, message);
    }

    public NoSuchStreamException(String message, Throwable cause) {
        super(Errno.ENOENT, message, cause);
    }
}
