package org.hopwire.engine.session;

/** The owner's person said no to a borrow, or the owner could not lend the device. */
public class ConsentDeniedException extends SessionException {
    private static final long serialVersionUID = 1L;

    public ConsentDeniedException(String message) {
        super(message);
    }
}
