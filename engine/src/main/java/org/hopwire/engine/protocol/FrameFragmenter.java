package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Cuts one frame into data-stream fragments, one at a time, so a scheduler can interleave the fragments of several
 * channels (docs/protocol.md, section 3). Reusable: {@link #start} takes the next frame.
 */
public final class FrameFragmenter {
    private final FragmentHeader header = new FragmentHeader();
    private final CRC32C crc32c = new CRC32C();
    private final int maxPayload;
    private MediaFrame frame;
    private int length;
    private int sent;
    private int crc;
    private boolean withCrc;
    private int extraFlags;
    private boolean done = true;

    public FrameFragmenter() {
        this(FragmentHeader.MAX_FRAGMENT_PAYLOAD);
    }

    public FrameFragmenter(int maxPayload) {
        if (maxPayload < 1 || maxPayload > FragmentHeader.MAX_FRAGMENT_PAYLOAD) {
            throw new IllegalArgumentException("fragment payload must be 1.." + FragmentHeader.MAX_FRAGMENT_PAYLOAD);
        }
        this.maxPayload = maxPayload;
    }

    /** Begins a frame; with {@code withCrc} its CRC32C goes into every fragment header. */
    public void start(MediaFrame frame, boolean withCrc) {
        start(frame, withCrc, 0);
    }

    /** Begins a frame whose fragments also carry {@code extraFlags} (a sealed frame's flags). */
    public void start(MediaFrame frame, boolean withCrc, int extraFlags) {
        this.extraFlags = extraFlags;
        this.frame = frame;
        this.length = frame.payload().remaining();
        this.sent = 0;
        this.withCrc = withCrc;
        this.done = false;
        if (withCrc) {
            crc32c.reset();
            ByteBuffer p = frame.payload();
            if (p.hasArray()) {
                crc32c.update(p.array(), p.arrayOffset() + p.position(), p.remaining());
            } else {
                crc32c.update(p.duplicate());
            }
            crc = (int) crc32c.getValue();
        } else {
            crc = 0;
        }
    }

    /** Payload bytes of the current frame already cut into fragments. */
    public int sent() {
        return sent;
    }

    /** Whether fragments of the current frame remain. */
    public boolean hasMore() {
        return !done;
    }

    /**
     * Writes the next fragment into {@code out}, as much payload as fits; returns the bytes written, 0 when there
     * is not room for a header and at least one byte (or a whole empty frame).
     */
    public int writeNext(ByteBuffer out) {
        if (done) {
            return 0;
        }
        int room = out.remaining() - FragmentHeader.LENGTH;
        int left = length - sent;
        int payload = Math.min(Math.min(left, maxPayload), Math.max(room, 0));
        if (room < 0 || (payload == 0 && left > 0)) {
            return 0;
        }
        int flags = (sent == 0 ? FragmentHeader.FIRST : 0) | (sent + payload == length ? FragmentHeader.LAST : 0)
                | (withCrc ? FragmentHeader.HAS_CRC : 0) | extraFlags;
        int at = out.position();
        header.wrap(out, at).set(flags, frame.channel(), frame.bufferFlags(), frame.sequence(), length, sent, payload,
                frame.pts(), frame.dts(), frame.duration(), crc, frame.capsVersion());
        out.position(at + FragmentHeader.LENGTH);
        ByteBuffer src = frame.payload();
        out.put(out.position(), src, src.position() + sent, payload);
        out.position(out.position() + payload);
        sent += payload;
        done = sent == length;
        return FragmentHeader.LENGTH + payload;
    }
}
