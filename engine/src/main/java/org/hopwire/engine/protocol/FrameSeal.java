package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-128-GCM protection of the frames of one direction of the data stream (docs/protocol.md, 3 and 6.3).
 *
 * <p>A sealed frame's payload on the wire is {@code u64 frame counter}, then the payload cut into segments of
 * {@link #SEGMENT_BYTES} (the last one shorter), each followed by its 16-byte tag: {@code counter || body 0 || tag 0
 * || body 1 || tag 1 ...}. A body is the segment's bytes encrypted ({@link Protection#ENCRYPTED}) or as they are
 * ({@link Protection#AUTHENTICATED}); each tag covers its body and the frame's header fields (channel, flags,
 * sequence, timestamps, caps version), the segment's index and the payload's length. The nonce is the segment's index
 * and the counter, which the sender raises by one per frame under a key used for one direction of one session only,
 * so a (key, nonce) pair never repeats; a segment cannot be moved to another place or frame, and a frame cannot be cut
 * short. A receiver takes on each channel only counters above the last one it accepted there, so a frame cannot be
 * replayed.
 *
 * <p>Segments let both ends work while the frame crosses: the sender seals a segment just before its fragments leave
 * ({@link Sealing}), the receiver opens each as soon as its last byte has landed ({@link Opening}), so after a frame's
 * last byte only its last segment is left to open (a 4K frame: about 0.1 ms instead of 3). A peer that speaks protocol
 * 3.2 seals each frame as one segment without the index and length in the tag ({@link #WHOLE_FRAME}).
 *
 * <p>One instance per direction, used by one thread: the data writer seals, the data reader opens.
 */
public final class FrameSeal {
    /** What protects the data stream; the stronger of the two hosts' wishes applies. */
    public enum Protection {
        /** CRC32C only: catches damage, not a device that alters frames on purpose. */
        NONE,
        /** A tag on every frame; the pictures cross in the clear. */
        AUTHENTICATED,
        /** Encrypted and tagged. */
        ENCRYPTED;

        /** The protection a {@code HELLO}'s capability bits ask for; unknown values ask for the strongest. */
        public static Protection ofBits(long capabilities) {
            int v = (int) (capabilities & 3);
            return v == 0 ? NONE : v == 1 ? AUTHENTICATED : ENCRYPTED;
        }

        /** The capability bits of a {@code HELLO} that asks for this. */
        public long bits() {
            return ordinal();
        }

        /** The stronger of two. */
        public Protection max(Protection other) {
            return ordinal() >= other.ordinal() ? this : other;
        }
    }

    public static final int COUNTER_BYTES = 8;
    public static final int TAG_BYTES = 16;
    /** Bytes a sealed frame carries on top of its payload at the least (a frame of one segment). */
    public static final int OVERHEAD = COUNTER_BYTES + TAG_BYTES;
    /** Payload bytes per segment since protocol 3.3: about 0.1 ms of AES-GCM, 0.2 ms on the cable. */
    public static final int SEGMENT_BYTES = 256 * 1024;
    /** Protocol 3.2: each frame sealed as one segment, its tag without the segment's index and the payload length. */
    public static final int WHOLE_FRAME = Integer.MAX_VALUE;
    private static final int AAD_BYTES = 2 + 2 + 4 + 8 + 8 + 8 + 4 + 1;
    /** Since 3.3 the tag also covers the segment's index and the payload's length. */
    private static final int SEGMENT_AAD_BYTES = AAD_BYTES + 4 + 4;

    private final Protection protection;
    private final int segmentBytes;
    private final Cipher cipher;
    /** The cipher of a frame sealed piece by piece ({@link Sealing}), so a whole seal meanwhile does not disturb it. */
    private Cipher pieceCipher;
    private final SecretKeySpec key;
    private final byte[] iv = new byte[12];
    private final ByteBuffer aad = ByteBuffer.allocate(SEGMENT_AAD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** Nothing: the input of an authenticated-only seal, and the output of its check. */
    private final ByteBuffer none = ByteBuffer.allocate(0);
    /** Where an authenticated-only frame's bodies are moved together after their checks (direct memory). */
    private final byte[] move = new byte[64 * 1024];
    private long nextCounter;
    private final long[] lastAccepted = new long[DataStreamDecoder.MAX_CHANNELS];

    /** Seals as this version of the protocol does, in segments of {@link #SEGMENT_BYTES}. */
    public FrameSeal(Protection protection, byte[] key) {
        this(protection, key, SEGMENT_BYTES);
    }

    /**
     * @param key          16 bytes or more of this direction's data key (the first 16 are used)
     * @param segmentBytes {@link #SEGMENT_BYTES}, or {@link #WHOLE_FRAME} with a peer that speaks protocol 3.2
     */
    public FrameSeal(Protection protection, byte[] key, int segmentBytes) {
        this(protection, key, segmentBytes, true);
    }

    /** As above; {@code warmUp}: the first seal of the process starts {@link SealWarmUp} (all but its own). */
    FrameSeal(Protection protection, byte[] key, int segmentBytes, boolean warmUp) {
        if (protection == Protection.NONE) {
            throw new IllegalArgumentException("no seal is needed without protection");
        }
        if (segmentBytes < 16 || segmentBytes % 16 != 0 && segmentBytes != WHOLE_FRAME) {
            throw new IllegalArgumentException("a segment is a whole number of AES blocks: " + segmentBytes);
        }
        this.protection = protection;
        this.segmentBytes = segmentBytes;
        this.key = new SecretKeySpec(Arrays.copyOf(key, 16), "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no AES-GCM", e);
        }
        Arrays.fill(lastAccepted, -1);
        if (warmUp) {
            SealWarmUp.startOnce();
        }
    }

    public Protection protection() {
        return protection;
    }

    /** Payload bytes per segment: {@link #SEGMENT_BYTES}, or {@link #WHOLE_FRAME} with a 3.2 peer. */
    public int segmentBytes() {
        return segmentBytes;
    }

    /** The fragment flags every fragment of a frame sealed here carries. */
    public int fragmentFlags() {
        return FragmentHeader.SEALED | (protection == Protection.ENCRYPTED ? FragmentHeader.ENCRYPTED : 0);
    }

    /** Segments a payload of {@code payload} bytes is sealed in: one at the least, also for no bytes. */
    private int segments(long payload) {
        return (int) Math.max(1, (payload + segmentBytes - 1) / segmentBytes);
    }

    /** The length of the sealed form of a payload of {@code payload} bytes. */
    public int sealedLength(int payload) {
        return COUNTER_BYTES + payload + TAG_BYTES * segments(payload);
    }

    /** The payload length a sealed frame of {@code sealed} bytes holds; -1 when no payload is sealed to that length. */
    public int payloadLength(int sealed) {
        long rest = (long) sealed - COUNTER_BYTES;
        if (rest < TAG_BYTES) {
            return -1;
        }
        long n = Math.max(1, (rest + segmentBytes + TAG_BYTES - 1) / ((long) segmentBytes + TAG_BYTES));
        long payload = rest - TAG_BYTES * n;
        return payload >= 0 && segments(payload) == n ? (int) payload : -1;
    }

    /** Where segment {@code i}'s body starts in the sealed frame. */
    private long bodyAt(int i) {
        return COUNTER_BYTES + (long) i * ((long) segmentBytes + TAG_BYTES);
    }

    /** Bytes of segment {@code i} of a payload of {@code payload} bytes. */
    private int segmentLength(int payload, int i) {
        return (int) Math.min(segmentBytes, payload - (long) i * segmentBytes);
    }

    /**
     * Seals {@code frame}'s payload into {@code out} (from its position, which must leave room for
     * {@link #sealedLength}); {@code out} is left flipped, holding the sealed payload.
     */
    public void seal(MediaFrame frame, ByteBuffer out) {
        long counter = nextCounter++;
        ByteBuffer payload = frame.payload().duplicate();
        int length = payload.remaining();
        int start = out.position();
        out.order(ByteOrder.LITTLE_ENDIAN).putLong(counter);
        for (int i = 0, n = segments(length); i < n; i++) {
            int segment = segmentLength(length, i);
            int from = payload.position() + i * segmentBytes;
            ByteBuffer in = payload.duplicate().limit(from + segment).position(from);
            out.position(start + (int) bodyAt(i));
            sealSegment(frame, counter, i, length, in, out);
        }
        out.limit(out.position()).position(start);
    }

    /** Seals one segment's bytes {@code in} into {@code out} at its position, which ends after the tag. */
    private void sealSegment(MediaFrame frame, long counter, int index, int length, ByteBuffer in, ByteBuffer out) {
        try {
            init(cipher, Cipher.ENCRYPT_MODE, counter, index, length, frame.channel(), frame.bufferFlags(),
                    frame.sequence(), frame.pts(), frame.dts(), frame.duration(), frame.capsVersion());
            if (protection == Protection.ENCRYPTED) {
                if (in.isDirect() || !out.isDirect()) {
                    cipher.doFinal(in, out);
                } else {
                    // Copied to its place, then encrypted there: on JDK 17 AES-GCM from a heap buffer into a direct
                    // one ran at 75 MB/s (no intrinsic on that path), direct to direct at 4 GB/s.
                    int at = out.position();
                    int n = in.remaining();
                    out.put(in);
                    cipher.doFinal(out.duplicate().position(at).limit(at + n), out.position(at));
                }
            } else {
                out.put(in.duplicate());
                cipher.updateAAD(in);
                cipher.doFinal(none.clear(), out);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to seal a frame", e);
        }
    }

    /**
     * A frame being sealed piece by piece, as its fragments are cut: {@link #sealTo} makes the sealed bytes final up
     * to a point, each segment's tag with its last byte. The bytes are those {@link #seal} makes; only the work is
     * spread, so a frame's first fragments can leave while its last are still being encrypted (at 3 GB/s AES-GCM
     * outruns the cable, and a 4K frame's 3 ms of sealing no longer come before its first byte leaves). Its buffer is
     * laid out (position 0, limit the sealed length) from the start.
     */
    public final class Sealing {
        private final MediaFrame frame;
        private final long counter;
        private final ByteBuffer payload;
        private final ByteBuffer out;
        private final int payloadLength;
        private final int length;
        /** Bytes of {@code out} that are final. */
        private int sealed;
        /** The segment being sealed, and how many of its bytes went into the cipher (-1: not begun). */
        private int segment;
        private int consumed = -1;
        private volatile boolean abandoned;

        private Sealing(MediaFrame frame, long counter, ByteBuffer payload, ByteBuffer out, int sealed) {
            this.frame = frame;
            this.counter = counter;
            this.payload = payload;
            this.out = out;
            this.payloadLength = payload.remaining();
            this.length = out.limit();
            this.sealed = sealed;
        }

        /** Whether every byte and tag is final. */
        public boolean done() {
            return sealed == length;
        }

        /** Bytes of the sealed frame that are final, from its start. */
        public int sealedBytes() {
            return sealed;
        }

        /** Makes the sealed frame's bytes final up to {@code bytes} from its start (the whole frame from there on). */
        public void sealTo(int bytes) {
            int want = Math.min(bytes, length);
            try {
                while (sealed < want) {
                    sealMore(want);
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM refused to seal a frame", e);
            }
        }

        /** Seals the current segment on to whole AES blocks reaching {@code want}, or to its end and tag. */
        private void sealMore(int want) throws GeneralSecurityException {
            int n = segmentLength(payloadLength, segment);
            int body = (int) bodyAt(segment);
            if (consumed < 0) {
                init(pieceCipher, Cipher.ENCRYPT_MODE, counter, segment, payloadLength, frame.channel(),
                        frame.bufferFlags(), frame.sequence(), frame.pts(), frame.dts(), frame.duration(),
                        frame.capsVersion());
                consumed = 0;
            }
            // Whole AES blocks, so the cipher holds nothing back; the segment's last piece brings its tag.
            int to = (int) Math.min(n, ((long) want - body + 15) / 16 * 16);
            if (to <= consumed) {
                to = n; // the cipher held a piece back after all: the segment's rest at once
            }
            int from = payload.position() + segment * segmentBytes;
            ByteBuffer in = payload.duplicate().limit(from + to).position(from + consumed);
            ByteBuffer dst = out.duplicate().limit(length).position(sealed);
            if (to == n) {
                in.limit(from + n);
                pieceCipher.doFinal(in, dst);
                sealed = body + n + TAG_BYTES;
                segment++;
                consumed = -1;
            } else {
                sealed += pieceCipher.update(in, dst);
                consumed = to;
            }
        }

        /** The frame will not be sent (its channel closed): nothing more is sealed. */
        public void abandon() {
            abandoned = true;
        }

        /** Whether sealing stopped before the end: the frame was given up. */
        public boolean abandoned() {
            return abandoned;
        }
    }

    /**
     * Starts sealing {@code frame}'s payload into {@code out} (from position 0, with room for {@link #sealedLength})
     * piece by piece: the frame counter is taken now, and {@code out} is left holding the sealed frame's layout. Only
     * encrypted frames between direct buffers are sealed so; any other is sealed whole here. The frame's payload must
     * stay as it is until the sealing is {@link Sealing#done} or abandoned. One at a time.
     */
    public Sealing beginSealing(MediaFrame frame, ByteBuffer out) {
        ByteBuffer payload = frame.payload().duplicate();
        if (protection != Protection.ENCRYPTED || !payload.isDirect() || !out.isDirect() || out.position() != 0) {
            seal(frame, out);
            return new Sealing(frame, nextCounter - 1, payload, out, out.limit());
        }
        if (pieceCipher == null) {
            try {
                pieceCipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this Java has no AES-GCM", e);
            }
        }
        long counter = nextCounter++;
        out.order(ByteOrder.LITTLE_ENDIAN).putLong(0, counter);
        out.position(0).limit(sealedLength(payload.remaining()));
        return new Sealing(frame, counter, payload, out, COUNTER_BYTES);
    }

    /**
     * A sealed frame being opened as it arrives: each segment is checked (and decrypted) as soon as its last byte has
     * landed ({@link #openTo}), its payload moved to where it belongs, so that once the frame's last byte is in only
     * its last segment is left. Nothing of a frame may be used before {@link #done}.
     */
    public final class Opening {
        private final int channel;
        private final int bufferFlags;
        private final long sequence;
        private final long pts;
        private final long dts;
        private final long duration;
        private final int capsVersion;
        private final ByteBuffer data;
        private final int payloadLength;
        private final int segmentCount;
        private long counter = -1;
        private int opened;
        private boolean failed;

        private Opening(int channel, int bufferFlags, long sequence, long pts, long dts, long duration,
                        int capsVersion, ByteBuffer data, int sealedLength) {
            this.channel = channel;
            this.bufferFlags = bufferFlags;
            this.sequence = sequence;
            this.pts = pts;
            this.dts = dts;
            this.duration = duration;
            this.capsVersion = capsVersion;
            this.data = data;
            this.payloadLength = payloadLength(sealedLength);
            this.segmentCount = payloadLength < 0 ? 0 : segments(payloadLength);
            this.failed = payloadLength < 0;
        }

        /**
         * Opens every segment whose bytes have all landed, {@code received} bytes of the sealed frame being in
         * {@code data} from index 0. False, for good, when a segment fails its check, the counter is not above the
         * last one accepted on the channel, or no payload is sealed to the frame's length.
         */
        public boolean openTo(int received) {
            if (failed) {
                return false;
            }
            if (counter < 0 && received >= COUNTER_BYTES) {
                counter = data.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                if (counter < 0 || counter <= lastAccepted[channel] && lastAccepted[channel] >= 0) {
                    failed = true;
                    return false;
                }
            }
            while (opened < segmentCount
                    && bodyAt(opened) + segmentLength(payloadLength, opened) + TAG_BYTES <= received) {
                if (!openSegment(opened)) {
                    failed = true;
                    return false;
                }
                if (++opened == segmentCount) {
                    lastAccepted[channel] = counter;
                    data.limit(COUNTER_BYTES + payloadLength).position(COUNTER_BYTES);
                }
            }
            return true;
        }

        /** Whether every segment checked out: {@code data}'s position and limit now frame the payload. */
        public boolean done() {
            return !failed && opened == segmentCount;
        }

        private boolean openSegment(int i) {
            int n = segmentLength(payloadLength, i);
            int body = (int) bodyAt(i);
            int to = COUNTER_BYTES + i * segmentBytes;
            try {
                init(cipher, Cipher.DECRYPT_MODE, counter, i, payloadLength, channel, bufferFlags, sequence, pts, dts,
                        duration, capsVersion);
                ByteBuffer in = data.duplicate().limit(body + n + TAG_BYTES).position(body);
                if (protection == Protection.ENCRYPTED) {
                    // Into its place in the payload: at or before its body, which AES-GCM allows.
                    cipher.doFinal(in, data.duplicate().limit(body + n + TAG_BYTES).position(to));
                } else {
                    cipher.updateAAD(in.duplicate().limit(body + n));
                    cipher.doFinal(in.position(body + n), none.clear());
                    moveDown(body, to, n);
                }
            } catch (javax.crypto.AEADBadTagException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM refused to open a frame", e);
            }
            return true;
        }

        /** Moves {@code n} bytes of {@code data} from {@code from} down to {@code to} (not after it). */
        private void moveDown(int from, int to, int n) {
            if (from == to) {
                return;
            }
            if (data.hasArray()) {
                System.arraycopy(data.array(), data.arrayOffset() + from, data.array(), data.arrayOffset() + to, n);
                return;
            }
            // In pieces from the front: each piece is read before it is written, and lands below what is still to
            // be read.
            for (int done = 0; done < n; ) {
                int k = Math.min(move.length, n - done);
                data.get(from + done, move, 0, k);
                data.put(to + done, move, 0, k);
                done += k;
            }
        }
    }

    /**
     * Starts opening a sealed frame that arrives into {@code data} (from index 0, {@code sealedLength} bytes in all),
     * its header's fields given: the tags must check out against them.
     */
    public Opening beginOpening(int channel, int bufferFlags, long sequence, long pts, long dts, long duration,
                                int capsVersion, ByteBuffer data, int sealedLength) {
        return new Opening(channel, bufferFlags, sequence, pts, dts, duration, capsVersion, data, sealedLength);
    }

    /**
     * Checks (and decrypts) a sealed frame all there: {@code data} from position 0 to its limit. On success
     * {@code data}'s position and limit frame the original payload; false when a tag does not match or the counter
     * is not above the last one accepted on the channel.
     */
    public boolean open(int channel, int bufferFlags, long sequence, long pts, long dts, long duration,
                        int capsVersion, ByteBuffer data) {
        int length = data.limit();
        Opening o = beginOpening(channel, bufferFlags, sequence, pts, dts, duration, capsVersion, data, length);
        return o.openTo(length) && o.done();
    }

    private void init(Cipher cipher, int mode, long counter, int segment, int payloadLength, int channel,
                      int bufferFlags, long sequence, long pts, long dts, long duration, int capsVersion)
            throws GeneralSecurityException {
        ByteBuffer nonce = ByteBuffer.wrap(iv).order(ByteOrder.LITTLE_ENDIAN);
        nonce.putInt(0, segment).putLong(4, counter);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
        aad.clear();
        aad.putShort((short) channel).putShort((short) bufferFlags).putInt((int) sequence).putLong(pts).putLong(dts)
                .putLong(duration).putInt(capsVersion).put((byte) protection.ordinal());
        if (segmentBytes != WHOLE_FRAME) {
            aad.putInt(segment).putInt(payloadLength);
        }
        cipher.updateAAD(aad.array(), 0, aad.position());
    }
}
