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

    /**
     * This host re-read a peer's XDomain properties, where its stream announcements live: the kernel raises a change
     * uevent on the peer's service device. A host following the peer's streams waits for this rather than retrying
     * blindly. Only fabrics that can see uevents send it; the others leave followers to back off.
     *
     * @param service the peer's service device, e.g. {@code 0-1.0}
     */
    record ServiceChanged(String service) implements FabricEvent {
    }

    /**
     * This host resumed from suspend: the rings of open streams were stopped and started anew, so every open byte
     * stream has a hole. Treat it as the cable pulled and plugged back.
     */
    record Resumed() implements FabricEvent {
    }
}
