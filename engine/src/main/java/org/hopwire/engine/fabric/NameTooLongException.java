package org.hopwire.engine.fabric;

/** A stream name is longer than the 8 characters XDomain property keys allow (ENAMETOOLONG). */
public class NameTooLongException extends FabricException {
    private static final long serialVersionUID = 1L;

    public NameTooLongException(String message) {
        super(Errno.ENAMETOOLONG, message);
    }

    public NameTooLongException(String message, Throwable cause) {
        super(Errno.ENAMETOOLONG, message, cause);
    }
}
