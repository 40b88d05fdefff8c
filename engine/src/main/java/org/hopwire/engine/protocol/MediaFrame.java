package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One media buffer of one channel, as it crosses the data stream: channel, frame number, timestamps in ns (-1 for
 * none), buffer flags ({@link FragmentHeader#KEY_FRAME} and the others) and the payload from position to limit.
 *
 * <p>A class rather than a record so that a receiving session can reuse frame objects it handed out and got back
 * ({@code PeerSession.recycle}): a steady stream then allocates nothing. Only a frame's owner may {@link #reuse} it.
 */
public final class MediaFrame {
    private int channel;
    private long sequence;
    private long pts;
    private long dts;
    private long duration;
    private int bufferFlags;
    private ByteBuffer payload;
    private int capsVersion;

    public MediaFrame(int channel, long sequence, long pts, long dts, long duration, int bufferFlags,
                      ByteBuffer payload) {
        reuse(channel, sequence, pts, dts, duration, bufferFlags, payload);
    }

    /** Makes this object another frame; for pools, by the frame's owner only. */
    public MediaFrame reuse(int channel, long sequence, long pts, long dts, long duration, int bufferFlags,
                            ByteBuffer payload) {
        if (channel < 0 || channel >= DataStreamDecoder.MAX_CHANNELS) {
            throw new IllegalArgumentException("channel ids run from 0 to " + (DataStreamDecoder.MAX_CHANNELS - 1));
        }
        this.channel = channel;
        this.sequence = sequence;
        this.pts = pts;
        this.dts = dts;
        this.duration = duration;
        this.bufferFlags = bufferFlags;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.capsVersion = 0;
        return this;
    }

    public int channel() {
        return channel;
    }

    public long sequence() {
        return sequence;
    }

    public long pts() {
        return pts;
    }

    public long dts() {
        return dts;
    }

    public long duration() {
        return duration;
    }

    public int bufferFlags() {
        return bufferFlags;
    }

    public ByteBuffer payload() {
        return payload;
    }

    /** The version of the channel's CAPS this frame follows; 0 when not given. The sending session sets it. */
    public int capsVersion() {
        return capsVersion;
    }

    public MediaFrame capsVersion(int version) {
        this.capsVersion = version;
        return this;
    }

    public boolean isKeyFrame() {
        return (bufferFlags & FragmentHeader.KEY_FRAME) != 0;
    }

    @Override
    public String toString() {
        return "MediaFrame[channel=" + channel + ", sequence=" + sequence + ", pts=" + pts + ", bytes="
                + payload.remaining() + (isKeyFrame() ? ", key" : "") + "]";
    }
}
