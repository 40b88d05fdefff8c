package org.hopwire.engine.fabric;

/**
 * Opening a stream needs a free DMA ring pair and tunnel on the host controller, and none is left (ENOMEM): Intel
 * host routers have 11 for streams, fewer when other drivers use some.
 */
public class TooManyStreamsException extends FabricException {
    private static final long serialVersionUID = 1L;

    public TooManyStreamsException(String message) {
        super(Errno.ENOMEM, message);
    }
}
