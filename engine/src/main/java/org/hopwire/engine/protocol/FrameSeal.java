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
 * <p>A sealed frame's payload on the wire is {@code u64 frame counter || body || 16-byte tag}: the body is the
 * frame's bytes encrypted ({@link Protection#ENCRYPTED}) or as they are ({@link Protection#AUTHENTICATED}); the tag
 * covers the body and the frame's header fields (channel, flags, sequence, timestamps, caps version). The nonce is the
 * counter, which the sender raises by one per frame under a key used for one direction of one session only, so a
 * (key, nonce) pair never repeats. A receiver takes on each channel only counters above the last one it accepted
 * there, so a frame cannot be replayed.
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
    /** Bytes a sealed frame carries on top of its payload. */
    public static final int OVERHEAD = COUNTER_BYTES + TAG_BYTES;
    private static final int AAD_BYTES = 2 + 2 + 4 + 8 + 8 + 8 + 4 + 1;

    private final Protection protection;
    private final Cipher cipher;
    /** The cipher of a frame sealed piece by piece ({@link Sealing}), so a whole seal meanwhile does not disturb it. */
    private Cipher pieceCipher;
    private final SecretKeySpec key;
    private final byte[] iv = new byte[12];
    private final ByteBuffer aad = ByteBuffer.allocate(AAD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** Nothing: the input of an authenticated-only seal, and the output of its check. */
    private final ByteBuffer none = ByteBuffer.allocate(0);
    private long nextCounter;
    private final long[] lastAccepted = new long[DataStreamDecoder.MAX_CHANNELS];

    /**
     * @param key 16 bytes or more of this direction's data key (the first 16 are used)
     */
    public FrameSeal(Protection protection, byte[] key) {
        if (protection == Protection.NONE) {
            throw new IllegalArgumentException("no seal is needed without protection");
        }
        this.protection = protection;
        this.key = new SecretKeySpec(Arrays.copyOf(key, 16), "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no AES-GCM", e);
        }
        Arrays.fill(lastAccepted, -1);
    }

    public Protection protection() {
        return protection;
    }

    /** The fragment flags every fragment of a frame sealed here carries. */
    public int fragmentFlags() {
        return FragmentHeader.SEALED | (protection == Protection.ENCRYPTED ? FragmentHeader.ENCRYPTED : 0);
    }

    /**
     * Seals {@code frame}'s payload into {@code out} (from its position, which must leave room for the payload and
     * {@link #OVERHEAD}); {@code out} is left flipped, holding the sealed payload.
     */
    public void seal(MediaFrame frame, ByteBuffer out) {
        long counter = nextCounter++;
        ByteBuffer payload = frame.payload().duplicate();
        try {
            out.order(ByteOrder.LITTLE_ENDIAN).putLong(counter);
            init(cipher, Cipher.ENCRYPT_MODE, counter, frame.channel(), frame.bufferFlags(), frame.sequence(), frame.pts(),
                    frame.dts(), frame.duration(), frame.capsVersion());
            if (protection == Protection.ENCRYPTED) {
                if (payload.isDirect() || !out.isDirect()) {
                    cipher.doFinal(payload, out);
                } else {
                    // Copied next to the counter, then encrypted in place: on JDK 17 AES-GCM from a heap buffer into
                    // a direct one ran at 75 MB/s (no intrinsic on that path), direct to direct at 4 GB/s.
                    int start = out.position();
                    int length = payload.remaining();
                    out.put(payload);
                    cipher.doFinal(out.duplicate().position(start).limit(start + length), out.position(start));
                }
            } else {
                out.put(payload.duplicate());
                cipher.updateAAD(payload);
                cipher.doFinal(none.clear(), out);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to seal a frame", e);
        }
        out.flip();
    }

    /**
     * A frame being sealed piece by piece, as its fragments are cut: {@link #sealTo} makes the sealed bytes final up
     * to a point, and when the last is asked for, the tag. The bytes are those {@link #seal} makes; only the work is
     * spread, so a frame's first fragments can leave while its last are still being encrypted (at 4.4 GB/s AES-GCM
     * outruns the cable, and a 4K frame's 3 ms of sealing no longer come before its first byte leaves). Its buffer is
     * laid out (position 0, limit the sealed length) from the start.
     */
    public final class Sealing {
        private final ByteBuffer payload;
        private final ByteBuffer out;
        private final int length;
        /** Bytes of {@code out} that are final. */
        private int sealed;
        private volatile boolean abandoned;

        private Sealing(ByteBuffer payload, ByteBuffer out, int sealed) {
            this.payload = payload;
            this.out = out;
            this.length = out.limit();
            this.sealed = sealed;
        }

        /** Whether every byte and the tag are final. */
        public boolean done() {
            return sealed == length;
        }

        /** Bytes of the sealed frame that are final, from its start. */
        public int sealedBytes() {
            return sealed;
        }

        /** Makes the sealed frame's bytes final up to {@code bytes} from its start (the whole frame from there on). */
        public void sealTo(int bytes) {
            if (bytes <= sealed || done()) {
                return;
            }
            int body = length - OVERHEAD;
            int from = sealed - COUNTER_BYTES;
            // Whole AES blocks, so the cipher holds nothing back; the last piece brings the tag.
            int to = Math.min(body, ((bytes - COUNTER_BYTES + 15) / 16) * 16);
            try {
                ByteBuffer in = payload.duplicate().position(payload.position() + from).limit(payload.position() + to);
                ByteBuffer dst = out.duplicate().limit(length).position(COUNTER_BYTES + from);
                int n;
                if (to == body || bytes > COUNTER_BYTES + body) {
                    in.limit(payload.position() + body);
                    n = pieceCipher.doFinal(in, dst);
                } else {
                    n = pieceCipher.update(in, dst);
                }
                sealed += n;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM refused to seal a frame", e);
            }
            if (sealed < Math.min(bytes, length)) {
                sealTo(length); // the cipher held a piece back after all: the rest at once
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
     * Starts sealing {@code frame}'s payload into {@code out} (from position 0, with room for the payload and
     * {@link #OVERHEAD}) piece by piece: the frame counter is taken now, and {@code out} is left holding the sealed
     * frame's layout. Only encrypted frames between direct buffers are sealed so; any other is sealed whole here.
     * The frame's payload must stay as it is until the sealing is {@link Sealing#done} or abandoned. One at a time.
     */
    public Sealing beginSealing(MediaFrame frame, ByteBuffer out) {
        ByteBuffer payload = frame.payload().duplicate();
        if (protection != Protection.ENCRYPTED || !payload.isDirect() || !out.isDirect() || out.position() != 0) {
            seal(frame, out);
            return new Sealing(payload, out, out.limit());
        }
        if (pieceCipher == null) {
            try {
                pieceCipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this Java has no AES-GCM", e);
            }
        }
        long counter = nextCounter++;
        try {
            init(pieceCipher, Cipher.ENCRYPT_MODE, counter, frame.channel(), frame.bufferFlags(), frame.sequence(),
                    frame.pts(), frame.dts(), frame.duration(), frame.capsVersion());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to seal a frame", e);
        }
        out.order(ByteOrder.LITTLE_ENDIAN).putLong(0, counter);
        out.position(0).limit(COUNTER_BYTES + payload.remaining() + TAG_BYTES);
        return new Sealing(payload, out, COUNTER_BYTES);
    }

    /**
     * Checks (and decrypts, in place) a sealed frame's payload: {@code data} from position 0 to its limit. On
     * success {@code data}'s position and limit frame the original payload; false when the tag does not match or the
     * counter is not above the last one accepted on the channel.
     */
    public boolean open(int channel, int bufferFlags, long sequence, long pts, long dts, long duration,
                        int capsVersion, ByteBuffer data) {
        int length = data.limit();
        if (length < OVERHEAD) {
            return false;
        }
        long counter = data.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (counter <= lastAccepted[channel] && lastAccepted[channel] >= 0 || counter < 0) {
            return false;
        }
        try {
            init(cipher, Cipher.DECRYPT_MODE, counter, channel, bufferFlags, sequence, pts, dts, duration, capsVersion);
            ByteBuffer in = data.duplicate().limit(length).position(COUNTER_BYTES);
            if (protection == Protection.ENCRYPTED) {
                ByteBuffer out = data.duplicate().limit(length).position(COUNTER_BYTES);
                cipher.doFinal(in, out);
            } else {
                cipher.updateAAD(in.duplicate().limit(length - TAG_BYTES));
                cipher.doFinal(in.position(length - TAG_BYTES), none.clear());
            }
        } catch (javax.crypto.AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused to open a frame", e);
        }
        lastAccepted[channel] = counter;
        data.limit(length - TAG_BYTES).position(COUNTER_BYTES);
        return true;
    }

    private void init(Cipher cipher, int mode, long counter, int channel, int bufferFlags, long sequence, long pts,
                      long dts, long duration, int capsVersion) throws GeneralSecurityException {
        ByteBuffer.wrap(iv, 4, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(counter);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
        aad.clear();
        aad.putShort((short) channel).putShort((short) bufferFlags).putInt((int) sequence).putLong(pts).putLong(dts)
                .putLong(duration).putInt(capsVersion).put((byte) protection.ordinal());
        cipher.updateAAD(aad.array(), 0, AAD_BYTES);
    }
}
