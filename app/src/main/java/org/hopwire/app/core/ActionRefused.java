package org.hopwire.app.core;

/** An action a person asked for cannot be done; the message says why and what to do, in their words. */
public final class ActionRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ActionRefused(String message) {
        super(message, null, false, false);
    }
}
