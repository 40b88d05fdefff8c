package org.hopwire.engine.fabric;

import java.util.Objects;

/**
 * A configured stream as the fabric sees it now.
 *
 * @param address       service group and name
 * @param index         N of {@code /dev/tbstreamN}
 * @param inHopId       HopID of the read path, 0 when unset
 * @param outHopId      HopID of the write path, 0 when unset
 * @param ringSize      ring size in frames
 * @param throttlingNs  interrupt throttling in ns
 * @param attached      whether its service is present, i.e. the peer is on the cable
 * @param open          whether its device is open (the kernel fabric knows only its own opens)
 */
public record StreamInfo(StreamAddress address, int index, int inHopId, int outHopId, int ringSize, long throttlingNs,
                         boolean attached, boolean open) {
    public StreamInfo {
        Objects.requireNonNull(address, "address");
    }

    /** The character device's file name, {@code tbstreamN}. */
    public String deviceName() {
        return "tbstream" + index;
    }

    /** Whether both HopIDs are set, which is what the driver needs to announce the stream and carry data. */
    public boolean hasHopIds() {
        return inHopId >= Usb4Stream.MIN_HOPID && outHopId >= Usb4Stream.MIN_HOPID;
    }
}
