package org.hopwire.engine.fabric;

/**
 * Limits and defaults of the USB4STREAM driver, in one place.
 *
 * <p>Each value restates {@code shared/usb4stream-kernel-interface.md}; the emulated fabric enforces the same ones.
 */
public final class Usb4Stream {
    /** Stream names become XDomain property keys, which hold at most 8 bytes (the driver checks {@code strlen}). */
    public static final int MAX_STREAM_NAME_LENGTH = 8;
    /** HopIDs below 8 are reserved by the USB4 specification. */
    public static final int MIN_HOPID = 8;
    /** The driver's usual maximum HopID on a lane adapter; the real maximum depends on the adapter. */
    public static final int DEFAULT_MAX_HOPID = 19;
    /** The out-HopID limit towards a peer that announces no {@code maxhopid}. */
    public static final int PEER_DEFAULT_MAX_HOPID = 15;
    /** Written to a HopID attribute: allocate one automatically. */
    public static final int HOPID_AUTO = -1;
    /** Written to a HopID attribute: release it. Read back: not set. */
    public static final int HOPID_UNSET = 0;
    public static final int MIN_RING_SIZE = 32;
    public static final int MAX_RING_SIZE = 4096;
    public static final int DEFAULT_RING_SIZE = 256;
    public static final long MIN_THROTTLING_NS = 0;
    /** The interrupt throttling register holds 16 bits of 256 ns units. */
    public static final long MAX_THROTTLING_NS = 16_776_960;
    public static final long DEFAULT_THROTTLING_NS = 8192;
    /** The driver splits writes into DATA packets of at most this many bytes. */
    public static final int MAX_PACKET_BYTES = 4096;
    /** The key a USB4STREAM service device shows in sysfs. */
    public static final String SERVICE_KEY = "stream";

    private Usb4Stream() {
    }

    /** The length the driver measures a stream name by: its bytes in UTF-8. */
    public static int nameBytes(String name) {
        return name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The XDomain device a service belongs to: {@code 0-1} for {@code 0-1.0}. */
    public static String xdomainOf(String serviceName) {
        int dot = serviceName.lastIndexOf('.');
        return dot < 0 ? serviceName : serviceName.substring(0, dot);
    }
}
