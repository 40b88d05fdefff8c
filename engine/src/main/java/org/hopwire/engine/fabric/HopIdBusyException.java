package org.hopwire.engine.fabric;

/** A specific HopID was asked for that another stream or {@code thunderbolt_net} already holds (EBUSY). */
public class HopIdBusyException extends FabricException {
    private static final long serialVersionUID = 1L;

    public HopIdBusyException(String message) {
        super(Errno.EBUSY, message);
    }

    public HopIdBusyException(String message, Throwable cause) {
        super(Errno.EBUSY, message, cause);
    }
}
