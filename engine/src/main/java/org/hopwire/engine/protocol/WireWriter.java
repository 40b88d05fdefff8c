package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Writes the protocol's primitive fields, little-endian, into a buffer that grows as needed (docs/protocol.md, 2). */
public final class WireWriter {
    /** Strings and byte fields hold at most this many bytes. */
    public static final int MAX_FIELD_BYTES = 4096;

    private ByteBuffer buffer;

    public WireWriter(int initialCapacity) {
        buffer = ByteBuffer.allocate(initialCapacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void ensure(int bytes) {
        if (buffer.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes))
                    .order(ByteOrder.LITTLE_ENDIAN);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    public WireWriter u8(int v) {
        ensure(1);
        buffer.put((byte) v);
        return this;
    }

    public WireWriter u16(int v) {
        ensure(2);
        buffer.putShort((short) v);
        return this;
    }

    public WireWriter u32(long v) {
        ensure(4);
        buffer.putInt((int) v);
        return this;
    }

    public WireWriter i64(long v) {
        ensure(8);
        buffer.putLong(v);
        return this;
    }

    public WireWriter uuid(UUID v) {
        return i64(v.getMostSignificantBits()).i64(v.getLeastSignificantBits());
    }

    public WireWriter string(String v) {
        return bytes(v.getBytes(StandardCharsets.UTF_8));
    }

    public WireWriter bytes(byte[] v) {
        if (v.length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("a field holds at most " + MAX_FIELD_BYTES + " bytes, not " + v.length);
        }
        ensure(2 + v.length);
        buffer.putShort((short) v.length);
        buffer.put(v);
        return this;
    }

    /**
     * {@code text} cut to at most {@code maxBytes} bytes of UTF-8, at a character boundary, with an ellipsis when
     * cut: for texts that quote what a peer sent, which may be as long as a field allows.
     */
    public static String fit(String text, int maxBytes) {
        if (text == null) {
            return "";
        }
        if (text.length() * 3 <= maxBytes || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        int budget = maxBytes - 3; // the ellipsis takes 3 bytes
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + n > budget) {
                break;
            }
            used += n;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + "\u2026";
    }

    /** The bytes written between two positions, as a read-only view (for a MAC over them). */
    public ByteBuffer region(int from, int to) {
        return buffer.asReadOnlyBuffer().limit(to).position(from);
    }

    /** Appends bytes as they are, without a length. */
    public WireWriter raw(byte[] v) {
        ensure(v.length);
        buffer.put(v);
        return this;
    }

    /** Bytes written so far. */
    public int position() {
        return buffer.position();
    }

    /** Overwrites a u32 written earlier (a length known only afterwards). */
    public void u32At(int index, long v) {
        buffer.putInt(index, (int) v);
    }

    /** The bytes written, ready to read. */
    public ByteBuffer toBuffer() {
        return buffer.duplicate().flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Forgets what was written after {@code position} (a message that could not be finished). */
    public void truncate(int position) {
        buffer.position(position);
    }

    /** Forgets what was written, keeping the memory. */
    public void clear() {
        buffer.clear();
    }
}
