package org.hopwire.engine.session;

import java.util.Optional;

import org.hopwire.engine.protocol.ProtocolError;

/** The owner's person said no to a borrow, or the owner could not lend the device. */
public class ConsentDeniedException extends SessionException {
    private static final long serialVersionUID = 1L;
    private final transient ProtocolError ownerError;

    public ConsentDeniedException(String message) {
        this(message, null);
    }

    /** @param ownerError what the owner reported with its refusal; null when its person simply said no */
    public ConsentDeniedException(String message, ProtocolError ownerError) {
        super(message);
        this.ownerError = ownerError;
    }

    /**
     * Why the owner could not lend (the device is busy, gone, or in use by this host already), as it reported with the
     * refusal; empty when its person said no.
     */
    public Optional<ProtocolError> ownerError() {
        return Optional.ofNullable(ownerError);
    }
}
