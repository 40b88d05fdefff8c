package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One media buffer of one channel, as it crosses the data stream.
 *
 * @param channel      channel id, 0..255
 * @param sequence     frame number on its channel
 * @param pts          presentation time in ns, -1 for none
 * @param dts          decoding time in ns, -1 for none
 * @param duration     duration in ns, -1 for none
 * @param bufferFlags  {@link FragmentHeader#KEY_FRAME} and the other buffer flags
 * @param payload      the bytes, from position to limit
 */
public record MediaFrame(int channel, long sequence, long pts, long dts, long duration, int bufferFlags,
                         ByteBuffer payload) {
    public MediaFrame {
        Objects.requireNonNull(payload, "payload");
        if (channel < 0 || channel >= DataStreamDecoder.MAX_CHANNELS) {
            throw new IllegalArgumentException("channel ids run from 0 to " + (DataStreamDecoder.MAX_CHANNELS - 1));
        }
    }

    public boolean isKeyFrame() {
        return (bufferFlags & FragmentHeader.KEY_FRAME) != 0;
    }
}
