package org.hopwire.engine.fabric;

/** Something changed on the fabric: a peer host or a stream appeared or went. */
public sealed interface FabricEvent {
    /** A host appeared on the cable. */
    record PeerConnected(PeerHost peer) implements FabricEvent {
    }

    /** A host left the cable (unplugged, powered off, or its driver unloaded). */
    record PeerDisconnected(PeerHost peer) implements FabricEvent {
    }

    /** A stream directory appeared in ConfigFS. */
    record StreamCreated(StreamInfo stream) implements FabricEvent {
    }

    /** A stream directory went from ConfigFS. */
    record StreamRemoved(StreamInfo stream) implements FabricEvent {
    }
}
