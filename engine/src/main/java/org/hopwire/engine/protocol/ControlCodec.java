package org.hopwire.engine.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Turns control messages into bytes and bytes, however reads cut them, back into messages (docs/protocol.md,
 * section 4).
 *
 * <pre>
 * +---------------+---------------+-------------------------------+
 * |   magic 'H'   |   magic 'C'   |         message type          |  0
 * |                       body length                             |  4
 * |                       body ...                                |  8
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class ControlCodec {
    public static final int HEADER_LENGTH = 8;
    public static final byte MAGIC_0 = 'H';
    public static final byte MAGIC_1 = 'C';
    /** A catalog of many devices fits easily; anything longer means the stream is out of step. */
    public static final int MAX_BODY = 1 << 20;

    private ControlCodec() {
    }

    /** Appends one message, header and body, to {@code w}. */
    public static void encode(ControlMessage m, WireWriter w) {
        encode(m, w, null);
    }

    /**
     * Appends one message to {@code w}, sealed with {@code seal} when it is not null: the tag follows the body and
     * the header's length counts both (docs/protocol.md, 6.3).
     */
    public static void encode(ControlMessage m, WireWriter w, ControlSeal seal) {
        int headerAt = w.position();
        w.u8(MAGIC_0).u8(MAGIC_1).u16(m.type());
        int lengthAt = w.position();
        w.u32(0);
        int start = w.position();
        m.writeBody(w);
        w.u32At(lengthAt, w.position() - start + (seal == null ? 0 : ControlSeal.TAG_BYTES));
        appendTag(w, headerAt, start, seal);
    }

    /** Appends the tag of the message from {@code headerAt} (its body from {@code bodyAt}), if there is a seal. */
    private static void appendTag(WireWriter w, int headerAt, int bodyAt, ControlSeal seal) {
        if (seal != null) {
            byte[] tag = new byte[ControlSeal.TAG_BYTES];
            seal.tag(w.region(headerAt, bodyAt), w.region(bodyAt, w.position()), tag);
            w.raw(tag);
        }
    }

    /**
     * Appends a message of any type and body, sealed when {@code seal} is not null: for tests and tools that play a
     * peer which breaks the protocol on purpose.
     */
    public static void encodeRaw(int type, byte[] body, WireWriter w, ControlSeal seal) {
        int headerAt = w.position();
        w.u8(MAGIC_0).u8(MAGIC_1).u16(type).u32(body.length + (seal == null ? 0 : ControlSeal.TAG_BYTES));
        int start = w.position();
        w.raw(body);
        appendTag(w, headerAt, start, seal);
    }

    /** One message as a buffer of its own. */
    public static ByteBuffer encode(ControlMessage m) {
        WireWriter w = new WireWriter(64);
        encode(m, w);
        return w.toBuffer();
    }

    /** Reads one body of a known type; empty for a type this version does not know (it is skipped). */
    static Optional<ControlMessage> decodeBody(int type, ByteBuffer body) throws ProtocolException {
        WireReader r = new WireReader(body, "control message of type " + type);
        return Optional.ofNullable(switch (type) {
            case ControlMessage.HELLO -> ControlMessage.Hello.read(r);
            case ControlMessage.PAIR_START -> ControlMessage.PairStart.read(r);
            case ControlMessage.PAIR_CONFIRM -> ControlMessage.PairConfirm.read(r);
            case ControlMessage.PAIR_COMMIT -> ControlMessage.PairCommit.read(r);
            case ControlMessage.PAIR_REJECT -> ControlMessage.PairReject.read(r);
            case ControlMessage.AUTH_CHALLENGE -> ControlMessage.AuthChallenge.read(r);
            case ControlMessage.AUTH_RESPONSE -> ControlMessage.AuthResponse.read(r);
            case ControlMessage.CATALOG -> ControlMessage.Catalog.read(r);
            case ControlMessage.BORROW_REQUEST -> ControlMessage.BorrowRequest.read(r);
            case ControlMessage.LEND_OFFER -> ControlMessage.LendOffer.read(r);
            case ControlMessage.CONSENT -> ControlMessage.Consent.read(r);
            case ControlMessage.CAPS -> ControlMessage.Caps.read(r);
            case ControlMessage.START -> ControlMessage.Start.read(r);
            case ControlMessage.STOP -> ControlMessage.Stop.read(r);
            case ControlMessage.PAUSE -> ControlMessage.Pause.read(r);
            case ControlMessage.KEYFRAME_REQUEST -> ControlMessage.KeyframeRequest.read(r);
            case ControlMessage.HEARTBEAT -> ControlMessage.Heartbeat.read(r);
            case ControlMessage.HEARTBEAT_ACK -> ControlMessage.HeartbeatAck.read(r);
            case ControlMessage.STATS -> ControlMessage.Stats.read(r);
            case ControlMessage.ERROR -> ControlMessage.ErrorReport.read(r);
            case ControlMessage.GOODBYE -> ControlMessage.Goodbye.read(r);
            case ControlMessage.FORMAT_REQUEST -> ControlMessage.FormatRequest.read(r);
            case ControlMessage.CONTROL_SET -> ControlMessage.ControlSet.read(r);
            case ControlMessage.CONTROL_STATE -> ControlMessage.ControlState.read(r);
            case ControlMessage.CONTROL_ACCESS -> ControlMessage.ControlAccess.read(r);
            default -> null;
        });
    }

    /** Receives decoded messages. */
    @FunctionalInterface
    public interface Handler {
        void onMessage(ControlMessage message);
    }

    /** An incremental reader of the control stream; one per stream, used by one thread. */
    public static final class Decoder {
        private final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        /** Grows up to {@link #MAX_BODY} as bodies need, then is reused. */
        private ByteBuffer body = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        private int type = -1;
        private long skipped;
        private final byte[] headerCopy = new byte[HEADER_LENGTH];
        private final byte[] tag = new byte[ControlSeal.TAG_BYTES];
        private ControlSeal opener;

        /**
         * From the next message on, every message must carry a valid tag under {@code seal}. Called by the handler
         * of the message after which the peer seals (its {@code AUTH_RESPONSE}), so the switch sits exactly there.
         */
        public void expectSealed(ControlSeal seal) {
            this.opener = seal;
        }

        /** Memory held for bodies: never more than {@link #MAX_BODY}. */
        int bodyCapacity() {
            return body.capacity();
        }

        /** Messages of unknown types skipped so far. */
        public long skipped() {
            return skipped;
        }

        /** Consumes all of {@code in}, handing on each whole message. */
        public void feed(ByteBuffer in, Handler handler) throws ProtocolException {
            while (in.hasRemaining()) {
                if (type < 0) {
                    int n = Math.min(header.remaining(), in.remaining());
                    header.put(header.position(), in, in.position(), n);
                    header.position(header.position() + n);
                    in.position(in.position() + n);
                    if (header.hasRemaining()) {
                        return;
                    }
                    beginBody();
                }
                int n = Math.min(body.remaining(), in.remaining());
                body.put(body.position(), in, in.position(), n);
                body.position(body.position() + n);
                in.position(in.position() + n);
                if (!body.hasRemaining()) {
                    endBody(handler);
                }
            }
        }

        private void beginBody() throws ProtocolException {
            if (header.get(0) != MAGIC_0 || header.get(1) != MAGIC_1) {
                throw new ProtocolException(ProtocolError.MALFORMED, "the control stream is out of step: no message"
                        + " header where one was due");
            }
            long length = header.getInt(4) & 0xffff_ffffL;
            if (length > MAX_BODY) {
                throw new ProtocolException(ProtocolError.MALFORMED, "a control message claims " + length
                        + " bytes; at most " + MAX_BODY + " are allowed");
            }
            type = header.getShort(2) & 0xffff;
            header.get(0, headerCopy);
            if (opener != null && length < ControlSeal.TAG_BYTES) {
                throw new ProtocolException(ProtocolError.AUTH_FAILED, "a control message of type " + type
                        + " carries no authentication tag: something on the cable injected it");
            }
            if (body.capacity() < length) {
                body = ByteBuffer.allocate((int) Math.max(length, Math.min(2L * body.capacity(), MAX_BODY)))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            body.clear().limit((int) length);
            header.clear();
        }

        private void endBody(Handler handler) throws ProtocolException {
            int t = type;
            type = -1;
            body.flip();
            if (opener != null) {
                int bodyEnd = body.limit() - ControlSeal.TAG_BYTES;
                body.get(bodyEnd, tag);
                if (!opener.verify(ByteBuffer.wrap(headerCopy), body.duplicate().limit(bodyEnd), tag)) {
                    throw new ProtocolException(ProtocolError.AUTH_FAILED, "a control message of type " + t
                            + " failed its authentication check: something on the cable altered, injected or"
                            + " replayed it");
                }
                body.limit(bodyEnd);
            }
            Optional<ControlMessage> m = decodeBody(t, body);
            if (m.isPresent()) {
                handler.onMessage(m.get());
            } else {
                skipped++;
            }
        }
    }
}
