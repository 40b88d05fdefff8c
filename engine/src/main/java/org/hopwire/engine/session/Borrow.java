package org.hopwire.engine.session;

/**
 * A device this host borrows from the peer: its frames arrive on {@code channel}.
 *
 * @param channel   the data-stream channel
 * @param deviceId  the owner's device id
 * @param caps      the media type the owner sends, as GStreamer caps text
 * @param partner   the other channel of a two-channel borrow (a capture card's pictures and sound, protocol 3.2),
 *                  -1 for a borrow of one channel
 */
public record Borrow(int channel, String deviceId, String caps, int partner) {
    /** A borrow of one channel. */
    public Borrow(int channel, String deviceId, String caps) {
        this(channel, deviceId, caps, -1);
    }

    /** True when this channel is one half of a two-channel borrow that starts, stops and pauses together. */
    public boolean grouped() {
        return partner >= 0;
    }

    /** True for sound, false for pictures. */
    public boolean isAudio() {
        return caps.startsWith("audio/");
    }
}
