package org.hopwire.engine.protocol;

/** One channel's frames broke a bound (too large, too many in reassembly) or a checksum: that channel ends. */
public class ChannelException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final int channel;

    public ChannelException(int channel, ProtocolError error, String message) {
        super(error, "channel " + channel + ": " + message);
        this.channel = channel;
    }

    /** The channel that ended. */
    public int channel() {
        return channel;
    }
}
