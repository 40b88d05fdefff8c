package org.hopwire.engine.pairing;

import org.hopwire.engine.fabric.Errno;
import org.hopwire.engine.fabric.FabricException;

/** The leading host did not announce an agreed stream in time, so the following host could not take its HopIDs. */
public class PairingTimeoutException extends FabricException {
    private static final long serialVersionUID = 1L;

    public PairingTimeoutException(String message) {
        super(Errno.ETIMEDOUT, message);
    }
}
