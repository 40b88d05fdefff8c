package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads the data stream's bytes, however the reads cut them, and hands on whole frames (docs/protocol.md,
 * section 3).
 *
 * <p>Memory stays within bounds whatever arrives: a frame longer than {@link Limits#maxFrameBytes()} is refused
 * before anything is allocated for it, at most {@link Limits#maxFramesInReassembly()} frames are held at once, and
 * the buffers they fill never take more than {@link Limits#maxBytesInReassembly()}, counted as allocated (a pool's
 * rounded sizes), not as declared.
 * A frame that breaks a bound or its checksum ends its channel ({@link Handler#onChannelEnded}); bytes that cannot
 * be a fragment at all mean the stream is out of step, and {@link #feed} throws.
 */
public final class DataStreamDecoder {
    /** Channel ids run from 0 to 255. */
    public static final int MAX_CHANNELS = 256;

    /**
     * Bounds of reassembly.
     *
     * @param maxFrameBytes          the largest frame accepted; 64 MiB holds a raw 8K frame
     * @param maxFramesInReassembly  frames held at once (one per channel at most)
     * @param maxBytesInReassembly   memory held by incomplete frames at once, all channels together: what their
     *                               buffers really take (their capacity, a pool's rounded size, see
     *                               {@link Allocator#footprint}), not the lengths the frames declare
     * @param verifyCrc              whether to check frames that carry a CRC32C
     */
    public record Limits(int maxFrameBytes, int maxFramesInReassembly, long maxBytesInReassembly,
                         boolean verifyCrc) {
        /**
         * Two raw 8K frames, or ten raw 4K ones (NV12, in the pool's 48 and 12 MiB buffers), may be in reassembly at
         * once; no more than 128 MiB in all.
         */
        public static final Limits DEFAULT = new Limits(64 << 20, 16, 128L << 20, true);

        public Limits {
            if (maxFrameBytes < 0 || maxFramesInReassembly < 1 || maxFramesInReassembly > MAX_CHANNELS
                    || maxBytesInReassembly < maxFrameBytes) {
                throw new IllegalArgumentException("bad reassembly limits");
            }
        }
    }

    /** Receives frames and ended channels, on the thread that calls {@link #feed}. */
    public interface Handler {
        void onFrame(MediaFrame frame);

        /** How long the frame took from its first fragment's arrival to its delivery, in ns. */
        default void onReassembled(int channel, long nanos) {
        }

        void onChannelEnded(ChannelException reason);
    }

    /** Where a frame's bytes go; a pool can stand here. */
    @FunctionalInterface
    public interface Allocator {
        ByteBuffer allocate(int channel, int length);

        /**
         * The capacity {@link #allocate} will give for {@code length} bytes, asked before allocating so the bound is
         * checked on what is really taken; an allocator that rounds up (a pool) says so here.
         */
        default long footprint(int length) {
            return length;
        }

        /** Takes back a buffer of a frame that will not be handed on (its channel ended, it failed a check). */
        default void free(ByteBuffer buffer) {
        }
    }

    /** Makes the frame object handed on; a pool of recycled frames can stand here. */
    @FunctionalInterface
    public interface FrameMaker {
        MediaFrame make(int channel, long sequence, long pts, long dts, long duration, int bufferFlags,
                        ByteBuffer payload);
    }

    /** One channel's frame in reassembly; one object per channel, reused frame after frame. */
    private static final class Partial {
        final int channel;
        long sequence;
        int length;
        int bufferFlags;
        long pts;
        long dts;
        long duration;
        int capsVersion;
        ByteBuffer data;
        /** What {@code data} counts against the bound: its capacity, given back on drop. */
        long held;
        int received;
        long firstNs;
        /** The frame's opening as its segments land, when it is sealed as the session requires; else null. */
        FrameSeal.Opening opening;

        Partial(int channel) {
            this.channel = channel;
        }

        Partial begin(FragmentHeader h, ByteBuffer data) {
            this.sequence = h.sequence();
            this.length = (int) h.frameLength();
            this.bufferFlags = h.bufferFlags();
            this.pts = h.pts();
            this.dts = h.dts();
            this.duration = h.duration();
            this.capsVersion = h.capsVersion();
            this.data = data;
            this.received = 0;
            this.firstNs = System.nanoTime();
            this.opening = null;
            return this;
        }
    }

    private final Limits limits;
    private final Handler handler;
    private final Allocator allocator;
    private final FrameMaker frames;
    private final ByteBuffer headerBytes = ByteBuffer.allocate(FragmentHeader.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final FragmentHeader header = new FragmentHeader().wrap(headerBytes, 0);
    private final CRC32C crc32c = new CRC32C();
    private final Partial[] partials = new Partial[MAX_CHANNELS];
    private final Partial[] spares = new Partial[MAX_CHANNELS];
    private final boolean[] ended = new boolean[MAX_CHANNELS];
    private int inReassembly;
    /** When set, every frame must be sealed under it; when null, none may be. */
    private FrameSeal seal;
    private long bytesInReassembly;

    /** Payload bytes of the current fragment still to come. */
    private int payloadLeft;
    /** Where they go; null to skip them (an ended channel). */
    private Partial target;
    private int fragmentFlags;
    private int fragmentCrc;

    public DataStreamDecoder(Limits limits, Handler handler) {
        this(limits, handler, (channel, length) -> ByteBuffer.allocate(length));
    }

    public DataStreamDecoder(Limits limits, Handler handler, Allocator allocator) {
        this(limits, handler, allocator, MediaFrame::new);
    }

    public DataStreamDecoder(Limits limits, Handler handler, Allocator allocator, FrameMaker frames) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.frames = Objects.requireNonNull(frames, "frames");
    }

    /** Memory held by frames not yet complete, their buffers' capacity: never more than the limits allow. */
    public long bytesInReassembly() {
        return bytesInReassembly;
    }

    /** Frames held in reassembly now. */
    public int framesInReassembly() {
        return inReassembly;
    }

    /**
     * From now on every frame must be sealed under {@code seal} (docs/protocol.md, 6.3): set once the session is
     * authenticated, before any frame can be due.
     */
    public void expectSealed(FrameSeal seal) {
        this.seal = seal;
    }

    /** Lets an ended channel carry frames again, when the control stream sets it up anew. */
    public void resetChannel(int channel) {
        discard(channel);
        ended[channel] = false;
    }

    /** Consumes all of {@code in}. */
    public void feed(ByteBuffer in) throws ProtocolException {
        while (in.hasRemaining()) {
            if (payloadLeft > 0) {
                int n = Math.min(payloadLeft, in.remaining());
                if (target != null) {
                    target.data.put(target.received, in, in.position(), n);
                    target.received += n;
                    if (target.opening != null && !target.opening.openTo(target.received)) {
                        failedCheck(target);
                    }
                }
                in.position(in.position() + n);
                payloadLeft -= n;
                if (payloadLeft == 0) {
                    endOfFragment();
                }
                continue;
            }
            int n = Math.min(headerBytes.remaining(), in.remaining());
            headerBytes.put(headerBytes.position(), in, in.position(), n);
            headerBytes.position(headerBytes.position() + n);
            in.position(in.position() + n);
            if (!headerBytes.hasRemaining()) {
                headerBytes.clear();
                beginFragment();
                if (payloadLeft == 0) {
                    endOfFragment();
                }
            }
        }
    }

    private void beginFragment() throws ProtocolException {
        if (!header.magicOk() || header.version() != FragmentHeader.VERSION) {
            throw new ProtocolException(ProtocolError.MALFORMED, "the data stream is out of step: no fragment"
                    + " header where one was due (magic or version wrong)");
        }
        long fragmentLength = header.fragmentLength();
        if (fragmentLength > FragmentHeader.MAX_FRAGMENT_PAYLOAD) {
            throw new ProtocolException(ProtocolError.MALFORMED, "a fragment claims " + fragmentLength
                    + " bytes, more than the " + FragmentHeader.MAX_FRAGMENT_PAYLOAD + " the protocol allows");
        }
        int channel = header.channel();
        if (channel >= MAX_CHANNELS) {
            throw new ProtocolException(ProtocolError.MALFORMED, "channel id " + channel + " is over "
                    + (MAX_CHANNELS - 1));
        }
        payloadLeft = (int) fragmentLength;
        fragmentFlags = header.fragmentFlags();
        fragmentCrc = header.crc();
        target = null;
        if (ended[channel]) {
            return;
        }
        long frameLength = header.frameLength();
        long offset = header.fragmentOffset();
        Partial p = partials[channel];
        if ((fragmentFlags & FragmentHeader.FIRST) != 0) {
            if (p != null) {
                end(channel, "a new frame began before frame " + p.sequence + " was complete");
                return;
            }
            if (offset != 0) {
                end(channel, "the first fragment of a frame starts at offset " + offset);
                return;
            }
            if (frameLength > limits.maxFrameBytes()) {
                end(channel, "a frame of " + frameLength + " bytes is over the limit of " + limits.maxFrameBytes());
                return;
            }
            if (inReassembly >= limits.maxFramesInReassembly()) {
                end(channel, "more than " + limits.maxFramesInReassembly() + " frames in reassembly at once");
                return;
            }
            // What the buffer will really take, not the declared length: counting lengths let rounded buffers pin
            // twice the bound.
            if (bytesInReassembly + allocator.footprint((int) frameLength) > limits.maxBytesInReassembly()) {
                endOverBytes(channel);
                return;
            }
            ByteBuffer data = allocator.allocate(channel, (int) frameLength);
            long held = data.capacity();
            // An allocator that gave more than it said cannot break the bound either: its buffer is not kept.
            if (bytesInReassembly + held > limits.maxBytesInReassembly()) {
                endOverBytes(channel);
                return;
            }
            if (spares[channel] == null) {
                spares[channel] = new Partial(channel);
            }
            p = spares[channel].begin(header, data);
            p.held = held;
            if (seal != null && (fragmentFlags & (FragmentHeader.SEALED | FragmentHeader.ENCRYPTED))
                    == seal.fragmentFlags()) {
                // Opened segment by segment as it lands; a frame sealed otherwise is refused at its last fragment.
                p.opening = seal.beginOpening(channel, p.bufferFlags, p.sequence, p.pts, p.dts, p.duration,
                        p.capsVersion, data, p.length);
            }
            partials[channel] = p;
            inReassembly++;
            bytesInReassembly += held;
        } else if (p == null) {
            end(channel, "a fragment arrived without the first fragment of its frame");
            return;
        } else if (p.sequence != header.sequence() || p.length != frameLength || p.received != offset) {
            end(channel, "fragment of frame " + header.sequence() + " at offset " + offset + " is out of order");
            return;
        }
        long endOffset = offset + fragmentLength;
        boolean last = (fragmentFlags & FragmentHeader.LAST) != 0;
        if (endOffset > frameLength || (last && endOffset != frameLength)) {
            end(channel, "fragment [" + offset + ", " + endOffset + ") does not fit frame of " + frameLength
                    + " bytes");
            return;
        }
        target = p;
    }

    private void endOfFragment() {
        Partial p = target;
        target = null;
        if (p == null || (fragmentFlags & FragmentHeader.LAST) == 0) {
            return;
        }
        ByteBuffer data = p.data;
        int sealFlags = fragmentFlags & (FragmentHeader.SEALED | FragmentHeader.ENCRYPTED);
        if (seal != null || sealFlags != 0) {
            if (seal == null || sealFlags != seal.fragmentFlags() || p.opening == null) {
                drop(p.channel);
                ended[p.channel] = true;
                allocator.free(p.data);
                handler.onChannelEnded(new ChannelException(p.channel, ProtocolError.AUTH_FAILED, "frame "
                        + p.sequence + " is " + (sealFlags == 0 ? "not sealed" : "sealed otherwise") + " where the"
                        + " session requires " + (seal == null ? "no seal" : seal.protection().name().toLowerCase(
                                java.util.Locale.ROOT) + " frames")));
                return;
            }
            if (!p.opening.done()) {
                failedCheck(p);
                return;
            }
            drop(p.channel);
        } else {
            drop(p.channel);
            data.limit(p.length).position(0);
        }
        if (seal == null && limits.verifyCrc() && (fragmentFlags & FragmentHeader.HAS_CRC) != 0) {
            crc32c.reset();
            if (data.hasArray()) {
                crc32c.update(data.array(), data.arrayOffset(), p.length);
            } else {
                crc32c.update(data.duplicate());
            }
            if ((int) crc32c.getValue() != fragmentCrc) {
                ended[p.channel] = true;
                allocator.free(p.data);
                handler.onChannelEnded(new ChannelException(p.channel, ProtocolError.MALFORMED, "frame " + p.sequence
                        + " failed its CRC32C check"));
                return;
            }
        }
        handler.onReassembled(p.channel, System.nanoTime() - p.firstNs);
        handler.onFrame(frames.make(p.channel, p.sequence, p.pts, p.dts, p.duration, p.bufferFlags, data)
                .capsVersion(p.capsVersion));
    }

    /** A sealed frame failed a check as it landed: it is dropped and its channel ends. */
    private void failedCheck(Partial p) {
        long sequence = p.sequence;
        discard(p.channel);
        ended[p.channel] = true;
        handler.onChannelEnded(new ChannelException(p.channel, ProtocolError.AUTH_FAILED, "frame " + sequence
                + " failed its authentication check: damaged on the cable, altered or replayed"));
    }

    private void endOverBytes(int channel) {
        end(channel, "more than " + limits.maxBytesInReassembly() + " bytes in reassembly at once");
    }

    private void end(int channel, String why) {
        discard(channel);
        ended[channel] = true;
        target = null;
        handler.onChannelEnded(new ChannelException(channel, ProtocolError.MALFORMED, why));
    }

    /** Drops a channel's frame in reassembly and gives its buffer back: it will never be handed on. */
    private void discard(int channel) {
        Partial p = partials[channel];
        drop(channel);
        if (p != null) {
            if (target == p) {
                target = null; // the rest of the fragment now in progress is skipped, not written into freed memory
            }
            allocator.free(p.data);
            p.data = null;
            p.opening = null;
        }
    }

    private void drop(int channel) {
        Partial p = partials[channel];
        if (p != null) {
            partials[channel] = null;
            inReassembly--;
            bytesInReassembly -= p.held;
        }
    }
}
