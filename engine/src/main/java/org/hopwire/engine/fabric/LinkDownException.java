package org.hopwire.engine.fabric;

/** The connection under an open stream is gone: cable unplugged, peer gone, peer closed or stream removed (ENXIO). */
public class LinkDownException extends FabricException {
    private static final long serialVersionUID = 1L;

    public LinkDownException(String message) {
        super(Errno.ENXIO, message);
    }

    public LinkDownException(String message, Throwable cause) {
        super(Errno.ENXIO, message, cause);
    }
}
