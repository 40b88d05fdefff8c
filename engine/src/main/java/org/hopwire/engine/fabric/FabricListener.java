package org.hopwire.engine.fabric;

/** Receives fabric events, one at a time, on the fabric's event thread; it must not block for long. */
@FunctionalInterface
public interface FabricListener {
    void onEvent(FabricEvent event);
}
