package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Flyweight over the 56-byte header of a data-stream fragment; reads and writes a buffer in place, little-endian.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |   magic 'H'   |   magic 'D'   |    version    |  frag flags   |  0
 * |          channel id           |        buffer flags           |  4
 * |                  frame sequence                               |  8
 * |                  frame length                                 | 12
 * |                  fragment offset                              | 16
 * |                  fragment length                              | 20
 * |                  pts (i64)                                    | 24
 * |                  dts (i64)                                    | 32
 * |                  duration (i64)                               | 40
 * |                  CRC32C of the frame                          | 48
 * |                  caps version                                 | 52
 * +---------------------------------------------------------------+
 * </pre>
 *
 * See docs/protocol.md, section 3.
 */
public final class FragmentHeader {
    public static final int LENGTH = 56;
    public static final byte MAGIC_0 = 'H';
    public static final byte MAGIC_1 = 'D';
    public static final int VERSION = 1;
    /** Payload bytes per fragment at most: one fragment holds audio back for about 60 us at 1.1 GB/s. */
    public static final int MAX_FRAGMENT_PAYLOAD = 64 * 1024;

    public static final int FIRST = 1;
    public static final int LAST = 1 << 1;
    public static final int HAS_CRC = 1 << 2;
    /** The frame's payload is sealed ({@link FrameSeal}): counter, body, tag. */
    public static final int SEALED = 1 << 3;
    /** The sealed body is encrypted. */
    public static final int ENCRYPTED = 1 << 4;

    public static final int KEY_FRAME = 1;
    public static final int DELTA = 1 << 1;
    public static final int DISCONT = 1 << 2;
    public static final int HEADER = 1 << 3;
    public static final int GAP = 1 << 4;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 2;
    static final int FRAG_FLAGS_OFFSET = 3;
    static final int CHANNEL_OFFSET = 4;
    static final int BUFFER_FLAGS_OFFSET = 6;
    static final int SEQUENCE_OFFSET = 8;
    static final int FRAME_LENGTH_OFFSET = 12;
    static final int FRAGMENT_OFFSET_OFFSET = 16;
    static final int FRAGMENT_LENGTH_OFFSET = 20;
    static final int PTS_OFFSET = 24;
    static final int DTS_OFFSET = 32;
    static final int DURATION_OFFSET = 40;
    static final int CRC_OFFSET = 48;
    /** The CAPS version the frame follows (0: not given); was reserved (always 0) before renegotiation used it. */
    static final int CAPS_VERSION_OFFSET = 52;

    private ByteBuffer buffer;
    private int offset;

    /** Points the flyweight at a header starting at {@code offset}; sets the buffer little-endian. */
    public FragmentHeader wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        this.offset = offset;
        return this;
    }

    public boolean magicOk() {
        return buffer.get(offset + MAGIC_OFFSET) == MAGIC_0 && buffer.get(offset + MAGIC_OFFSET + 1) == MAGIC_1;
    }

    public int version() {
        return buffer.get(offset + VERSION_OFFSET) & 0xff;
    }

    public int fragmentFlags() {
        return buffer.get(offset + FRAG_FLAGS_OFFSET) & 0xff;
    }

    public int channel() {
        return buffer.getShort(offset + CHANNEL_OFFSET) & 0xffff;
    }

    public int bufferFlags() {
        return buffer.getShort(offset + BUFFER_FLAGS_OFFSET) & 0xffff;
    }

    public long sequence() {
        return buffer.getInt(offset + SEQUENCE_OFFSET) & 0xffff_ffffL;
    }

    public long frameLength() {
        return buffer.getInt(offset + FRAME_LENGTH_OFFSET) & 0xffff_ffffL;
    }

    public long fragmentOffset() {
        return buffer.getInt(offset + FRAGMENT_OFFSET_OFFSET) & 0xffff_ffffL;
    }

    public long fragmentLength() {
        return buffer.getInt(offset + FRAGMENT_LENGTH_OFFSET) & 0xffff_ffffL;
    }

    public long pts() {
        return buffer.getLong(offset + PTS_OFFSET);
    }

    public long dts() {
        return buffer.getLong(offset + DTS_OFFSET);
    }

    public long duration() {
        return buffer.getLong(offset + DURATION_OFFSET);
    }

    public int capsVersion() {
        return buffer.getInt(offset + CAPS_VERSION_OFFSET);
    }

    public int crc() {
        return buffer.getInt(offset + CRC_OFFSET);
    }

    /** Writes a whole header. */
    public FragmentHeader set(int fragmentFlags, int channel, int bufferFlags, long sequence, int frameLength,
                              int fragmentOffset, int fragmentLength, long pts, long dts, long duration, int crc) {
        return set(fragmentFlags, channel, bufferFlags, sequence, frameLength, fragmentOffset, fragmentLength, pts, dts,
                duration, crc, 0);
    }

    /** Writes a whole header, with the CAPS version the frame follows. */
    public FragmentHeader set(int fragmentFlags, int channel, int bufferFlags, long sequence, int frameLength,
                              int fragmentOffset, int fragmentLength, long pts, long dts, long duration, int crc,
                              int capsVersion) {
        buffer.put(offset + MAGIC_OFFSET, MAGIC_0);
        buffer.put(offset + MAGIC_OFFSET + 1, MAGIC_1);
        buffer.put(offset + VERSION_OFFSET, (byte) VERSION);
        buffer.put(offset + FRAG_FLAGS_OFFSET, (byte) fragmentFlags);
        buffer.putShort(offset + CHANNEL_OFFSET, (short) channel);
        buffer.putShort(offset + BUFFER_FLAGS_OFFSET, (short) bufferFlags);
        buffer.putInt(offset + SEQUENCE_OFFSET, (int) sequence);
        buffer.putInt(offset + FRAME_LENGTH_OFFSET, frameLength);
        buffer.putInt(offset + FRAGMENT_OFFSET_OFFSET, fragmentOffset);
        buffer.putInt(offset + FRAGMENT_LENGTH_OFFSET, fragmentLength);
        buffer.putLong(offset + PTS_OFFSET, pts);
        buffer.putLong(offset + DTS_OFFSET, dts);
        buffer.putLong(offset + DURATION_OFFSET, duration);
        buffer.putInt(offset + CRC_OFFSET, crc);
        buffer.putInt(offset + CAPS_VERSION_OFFSET, capsVersion);
        return this;
    }
}
