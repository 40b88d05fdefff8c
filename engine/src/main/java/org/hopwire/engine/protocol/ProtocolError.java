package org.hopwire.engine.protocol;

/** The error codes of the Hopwire protocol (docs/protocol.md, section 4), as carried in {@code ERROR} messages. */
public enum ProtocolError {
    INCOMPATIBLE_VERSION(1),
    PAIRING_REJECTED(2),
    AUTH_FAILED(3),
    MALFORMED(4),
    DEVICE_BUSY(5),
    DEVICE_GONE(6),
    FORMAT_NOT_POSSIBLE(7),
    NOT_ALLOWED(8),
    INTERNAL(9);

    private final int code;

    ProtocolError(int code) {
        this.code = code;
    }

    /** The number on the wire. */
    public int code() {
        return code;
    }

    /** The error of a wire number; unknown numbers read as {@link #INTERNAL}. */
    public static ProtocolError of(int code) {
        for (ProtocolError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return INTERNAL;
    }
}
