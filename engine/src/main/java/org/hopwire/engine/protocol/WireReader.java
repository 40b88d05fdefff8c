package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Reads the protocol's primitive fields from one message body; anything short or malformed is a protocol error. */
public final class WireReader {
    private final ByteBuffer body;
    private final String what;

    public WireReader(ByteBuffer body, String what) {
        this.body = body.order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    private void need(int bytes) throws ProtocolException {
        if (body.remaining() < bytes) {
            throw new ProtocolException(ProtocolError.MALFORMED, what + " is cut short: " + bytes + " more bytes were"
                    + " due, " + body.remaining() + " are left");
        }
    }

    /** Bytes of the body not read yet: a newer minor version's fields, for a reader that knows them. */
    public int remaining() {
        return body.remaining();
    }

    public int u8() throws ProtocolException {
        need(1);
        return body.get() & 0xff;
    }

    public int u16() throws ProtocolException {
        need(2);
        return body.getShort() & 0xffff;
    }

    public long u32() throws ProtocolException {
        need(4);
        return body.getInt() & 0xffff_ffffL;
    }

    public long i64() throws ProtocolException {
        need(8);
        return body.getLong();
    }

    public UUID uuid() throws ProtocolException {
        return new UUID(i64(), i64());
    }

    public byte[] bytes() throws ProtocolException {
        int n = u16();
        if (n > WireWriter.MAX_FIELD_BYTES) {
            throw new ProtocolException(ProtocolError.MALFORMED, what + " has a field of " + n + " bytes; at most "
                    + WireWriter.MAX_FIELD_BYTES + " are allowed");
        }
        need(n);
        byte[] v = new byte[n];
        body.get(v);
        return v;
    }

    /** A field of exactly {@code n} bytes, such as a nonce or a key. */
    public byte[] bytes(int n) throws ProtocolException {
        byte[] v = bytes();
        if (v.length != n) {
            throw new ProtocolException(ProtocolError.MALFORMED, what + " has a field of " + v.length + " bytes where "
                    + n + " are due");
        }
        return v;
    }

    public String string() throws ProtocolException {
        byte[] raw = bytes();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ProtocolError.MALFORMED, what + " has a string that is not UTF-8");
        }
    }
}
