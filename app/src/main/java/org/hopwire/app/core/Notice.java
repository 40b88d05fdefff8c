package org.hopwire.app.core;

/** Something a person should hear of: a peer came or went, a device was lent, something failed and why. */
public record Notice(Level level, String text) {
    public enum Level { INFO, WARNING, ERROR }

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
