package org.hopwire.engine.fabric;

/** No HopID is free at or above the one asked for (ENOSPC): other streams or {@code thunderbolt_net} hold them. */
public class NoFreeHopIdException extends FabricException {
    private static final long serialVersionUID = 1L;

    public NoFreeHopIdException(String message) {
        super(Errno.ENOSPC, message);
    }
}
