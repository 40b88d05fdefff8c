package org.hopwire.engine.fabric;

/** Ends a listener registration. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
