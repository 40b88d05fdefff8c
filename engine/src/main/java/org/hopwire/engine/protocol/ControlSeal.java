package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC of one direction of an authenticated control stream (docs/protocol.md, 6.3): each message carries the
 * first 16 bytes of HMAC-SHA256 under this session's key for this direction, over an implicit sequence number, the
 * header and the body. The sequence counts messages from the first sealed one, so a message cannot be injected,
 * altered, replayed, dropped or reordered without the next check failing.
 *
 * <p>One instance per direction, used by one thread (the writer or the reader of the stream).
 */
public final class ControlSeal {
    /** Bytes of the tag that follows a sealed message's body. */
    public static final int TAG_BYTES = 16;

    private final Mac mac;
    private final ByteBuffer sequenceBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] full = new byte[32];
    private final byte[] expected = new byte[TAG_BYTES];
    private long sequence;

    public ControlSeal(byte[] key) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no HmacSHA256", e);
        }
    }

    /** Messages sealed or opened so far. */
    public long sequence() {
        return sequence;
    }

    /** Computes the tag of the next message ({@code header} then {@code body}, both read from position to limit). */
    void tag(ByteBuffer header, ByteBuffer body, byte[] out) {
        sequenceBytes.clear();
        sequenceBytes.putLong(sequence++);
        mac.update(sequenceBytes.array());
        mac.update(header);
        mac.update(body);
        try {
            mac.doFinal(full, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        System.arraycopy(full, 0, out, 0, TAG_BYTES);
    }

    /** Checks the tag of the next message, in constant time. */
    boolean verify(ByteBuffer header, ByteBuffer body, byte[] tag) {
        tag(header, body, expected);
        return MessageDigest.isEqual(expected, tag);
    }
}
