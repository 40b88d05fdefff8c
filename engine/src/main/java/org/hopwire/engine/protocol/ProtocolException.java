package org.hopwire.engine.protocol;

import java.io.IOException;

/** The peer broke the protocol, or the streams are out of step: the session ends with this error. */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ProtocolError error;

    public ProtocolException(ProtocolError error, String message) {
        super(message);
        this.error = error;
    }

    /** The protocol error code to report to the peer. */
    public ProtocolError error() {
        return error;
    }
}
