package org.hopwire.engine.session;

import java.io.IOException;

/** An operation on a session failed, or the session ended: {@link #end()} says why. */
public class SessionException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient SessionEnd end;

    public SessionException(SessionEnd end) {
        super(end.message());
        this.end = end;
    }

    public SessionException(String message) {
        super(message);
        this.end = null;
    }

    /** Why the session ended, or null when it did not. */
    public SessionEnd end() {
        return end;
    }
}
