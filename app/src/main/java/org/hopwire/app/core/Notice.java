package org.hopwire.app.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Something a person should hear of: a peer came or went, a device was lent, something failed and why; with the
 * moment it happened, which the Notices tab shows.
 */
public record Notice(Level level, String text, Instant at) {
    public enum Level { INFO, WARNING, ERROR }

    public Notice {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(at, "at");
    }

    /** A notice of now. */
    public Notice(Level level, String text) {
        this(level, text, Instant.now());
    }

    static Notice info(String text) {
        return new Notice(Level.INFO, text);
    }

    static Notice warning(String text) {
        return new Notice(Level.WARNING, text);
    }

    static Notice error(String text) {
        return new Notice(Level.ERROR, text);
    }
}
