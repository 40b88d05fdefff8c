package org.hopwire.engine.fabric;

import java.util.Objects;

/**
 * What to ask for when creating a stream: its name, HopIDs and ring settings.
 *
 * <p>HopIDs are written only when not {@link Usb4Stream#HOPID_UNSET}: {@link #inherited(String)} writes none, so the
 * driver takes the peer's announced values crossed over.
 *
 * @param name          the stream name, at most 8 characters
 * @param inHopId       {@link Usb4Stream#HOPID_AUTO}, {@link Usb4Stream#HOPID_UNSET} (do not write), or a value
 * @param outHopId      likewise for the write path
 * @param ringSize      TX/RX ring size in frames, 32..4096
 * @param throttlingNs  interrupt throttling in ns, 0..16776960
 */
public record StreamSpec(String name, int inHopId, int outHopId, int ringSize, long throttlingNs) {
    public StreamSpec {
        Objects.requireNonNull(name, "name");
    }

    /** Both HopIDs allocated by the driver: the leading host's choice. */
    public static StreamSpec automatic(String name) {
        return new StreamSpec(name, Usb4Stream.HOPID_AUTO, Usb4Stream.HOPID_AUTO, Usb4Stream.DEFAULT_RING_SIZE,
                Usb4Stream.DEFAULT_THROTTLING_NS);
    }

    /** No HopIDs written: the driver takes the peer's announced ones crossed over, the following host's choice. */
    public static StreamSpec inherited(String name) {
        return new StreamSpec(name, Usb4Stream.HOPID_UNSET, Usb4Stream.HOPID_UNSET, Usb4Stream.DEFAULT_RING_SIZE,
                Usb4Stream.DEFAULT_THROTTLING_NS);
    }

    /** Specific HopIDs, as a person configuring by hand would write them. */
    public static StreamSpec manual(String name, int inHopId, int outHopId) {
        return new StreamSpec(name, inHopId, outHopId, Usb4Stream.DEFAULT_RING_SIZE, Usb4Stream.DEFAULT_THROTTLING_NS);
    }

    public StreamSpec withRingSize(int frames) {
        return new StreamSpec(name, inHopId, outHopId, frames, throttlingNs);
    }

    public StreamSpec withThrottlingNs(long ns) {
        return new StreamSpec(name, inHopId, outHopId, ringSize, ns);
    }
}
