package org.hopwire.engine.fabric;

/** A stream cannot carry data because one of its HopIDs is 0 (unset or released): the driver answers EINVAL. */
public class HopIdUnsetException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    public HopIdUnsetException(String message) {
        super(message);
    }
}
