package org.hopwire.engine.fabric;

/** A stream is not attached to a live connection: the peer host is not on the cable (ENXIO). */
public class PeerNotConnectedException extends FabricException {
    private static final long serialVersionUID = 1L;

    public PeerNotConnectedException(String message) {
        super(Errno.ENXIO, message);
    }

    public PeerNotConnectedException(String message, Throwable cause) {
        super(Errno.ENXIO, message, cause);
    }
}
